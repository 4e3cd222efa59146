// What the simulated agent prints, as a list of writes: pure and deterministic (no clock, no
// Math.random), so the same options always give the same bytes.
import type { SimOptions } from './options.js';
import { createRng, intBetween, pick } from './rng.js';

const WORDS = 'the a module test function refactor cache error handler stream buffer parse config request update check build types worker queue retry value result async return import export'.split(' ');
const FILES = ['src/app.ts', 'src/server.ts', 'test/app.test.ts', 'package.json', 'src/lib/cache.ts', 'README.md'];
const TOOLS = ['Read', 'Edit', 'Grep', 'Bash', 'Write'];
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** Past this many body bytes, text goes out in large blocks instead of word by word. */
const WORD_BY_WORD_BYTES = 8000;
const BLOCK_BYTES = 64 * 1024;

export interface Script {
  writes: string[];
  exitCode: number;
  /** With --ask: where it stops to ask, and what it prints after an answer or none. */
  question?: Question;
}

export interface Question {
  /** Asked before writes[at]. */
  at: number;
  /** What it prints to ask. */
  prompt: string;
  /** What it prints once it has the answer (a line typed on its terminal). */
  answered(answer: string): string[];
  /** What it prints, before exiting 1, when no answer came within --ask-timeout. */
  unanswered: string[];
}

export const QUESTION = 'Proceed with the change?';

function paint(on: boolean, code: string, text: string): string {
  return on ? `\x1b[${code}m${text}\x1b[0m` : text;
}

function sentence(rng: () => number): string {
  const n = intBetween(rng, 6, 14);
  return Array.from({ length: n }, () => pick(rng, WORDS)).join(' ') + '.';
}

function banner(o: SimOptions, worker: string): string[] {
  const title = ` sim-agent · ${worker} · seed ${o.seed} `;
  const line = '─'.repeat(title.length);
  const box = paint(o.color, '36', `╭${line}╮\n│${title}│\n╰${line}╯`) + '\n';
  return o.prompt === null ? [box] : [box, `${paint(o.color, '1', '>')} ${o.prompt}\n`];
}

function spinner(o: SimOptions, rng: () => number): string[] {
  const frames = intBetween(rng, 8, 16);
  const out = Array.from({ length: frames }, (_, i) => `\r${paint(o.color, '33', SPINNER[i % SPINNER.length]!)} Thinking…`);
  return [...out, '\r\x1b[2K'];
}

function body(rng: () => number, budget: number): string[] {
  const out: string[] = [];
  let used = 0;
  while (used < Math.min(budget, WORD_BY_WORD_BYTES)) {
    const words = (sentence(rng) + (rng() < 0.2 ? '\n' : ' ')).split(/(?<= )/);
    for (const w of words) out.push(w), (used += Buffer.byteLength(w));
  }
  let block = '';
  while (used < budget) {
    const s = sentence(rng) + '\n';
    block += s;
    used += s.length;
    if (block.length >= BLOCK_BYTES) out.push(block), (block = '');
  }
  if (block) out.push(block);
  return out;
}

function toolCall(o: SimOptions, rng: () => number): string {
  const tool = pick(rng, TOOLS);
  const file = pick(rng, FILES);
  return `\n${paint(o.color, '32', '●')} ${paint(o.color, '1', tool)}(${file})\n  ⎿ ${intBetween(rng, 1, 400)} lines\n\n`;
}

export function buildScript(o: SimOptions, worker = 'w?'): Script {
  const rng = createRng(o.seed);
  const parts = body(rng, o.bytes);
  const writes = [...banner(o, worker), ...spinner(o, rng)];
  const every = Math.max(1, Math.ceil(parts.length / (o.tools + 1)));
  let tools = 0;
  parts.forEach((p, i) => {
    writes.push(p);
    if (tools < o.tools && (i + 1) % every === 0) writes.push(toolCall(o, rng)), (tools += 1);
  });
  while (tools < o.tools) writes.push(toolCall(o, rng)), (tools += 1);
  const failed = rng() < o.failRate;
  const exitCode = failed ? 1 : o.exitCode;
  const mark = exitCode === 0 ? paint(o.color, '32', '✓') : paint(o.color, '31', '✗');
  writes.push(`\n${mark} Done: ${o.tools} tool calls, ${o.bytes} bytes of text, exit ${exitCode}\n`);
  return { writes, exitCode, ...(o.ask ? { question: plainQuestion(o, Math.floor(writes.length / 2)) } : {}) };
}

/** A terminal-style question: the screen ends in a [y/N] prompt while it waits. */
function plainQuestion(o: SimOptions, at: number): Question {
  return {
    at,
    prompt: `\n${paint(o.color, '35', '?')} ${paint(o.color, '1', QUESTION)} [y/N] `,
    answered: (answer) => [`${paint(o.color, '2', `→ answer: ${answer}`)}\n\n`],
    unanswered: [`\n${paint(o.color, '31', '✗')} No answer within ${o.askTimeoutMs} ms\n`],
  };
}
