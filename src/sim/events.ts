// The simulated agent's --events mode: the shape of Claude Code's stream-json output (system
// init, assistant messages with text and tool_use blocks, user messages with tool_result
// blocks, a final result with usage and cost), so relay's Claude parser can be exercised end
// to end on a real terminal. Pure and deterministic, like the terminal script.
import type { SimOptions } from './options.js';
import { createRng, intBetween, pick } from './rng.js';
import { QUESTION, type Question, type Script } from './script.js';

const WORDS = 'the a module test function refactor cache error handler stream buffer parse config request update check build types worker queue retry value result'.split(' ');
const FILES = ['src/app.ts', 'src/server.ts', 'test/app.test.ts', 'package.json', 'src/lib/cache.ts', 'README.md'];
const TOOLS = ['Read', 'Edit', 'Grep', 'Bash', 'Write'];
const MODEL = 'sim-agent-1';
/** Prices per million tokens, for a plausible total_cost_usd. */
const PRICE = { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 };

interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

const line = (event: object): string => JSON.stringify(event) + '\n';

function sentence(rng: () => number): string {
  const n = intBetween(rng, 6, 14);
  const words = Array.from({ length: n }, () => pick(rng, WORDS)).join(' ');
  return words[0]!.toUpperCase() + words.slice(1) + '.';
}

/** About `bytes` of prose, cut into `count` messages. */
function paragraphs(rng: () => number, bytes: number, count: number): string[] {
  const per = Math.max(1, Math.floor(bytes / count));
  return Array.from({ length: count }, () => {
    let text = sentence(rng);
    while (text.length < per) text += ' ' + sentence(rng);
    return text;
  });
}

class Session {
  readonly id: string;
  private turn = 0;
  readonly usage: Usage = { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };

  constructor(private readonly rng: () => number, seed: number) {
    this.id = `sim-${(seed >>> 0).toString(16).padStart(8, '0')}-session`;
  }

  /** One API call's usage, added to the run's. */
  private call(outputText: string): Usage {
    const u = {
      input_tokens: intBetween(this.rng, 3, 12),
      output_tokens: Math.max(1, Math.ceil(outputText.length / 4)),
      cache_creation_input_tokens: intBetween(this.rng, 50, 400),
      cache_read_input_tokens: intBetween(this.rng, 2000, 9000),
    };
    for (const k of Object.keys(u) as (keyof Usage)[]) this.usage[k] += u[k];
    return u;
  }

  assistant(content: object[], outputText: string): string {
    this.turn += 1;
    const message = { id: `msg_sim_${this.turn}`, type: 'message', role: 'assistant', model: MODEL, content, stop_reason: null, usage: this.call(outputText) };
    return line({ type: 'assistant', message, parent_tool_use_id: null, session_id: this.id });
  }

  toolResult(toolUseId: string, content: string, isError = false): string {
    const block = { type: 'tool_result', tool_use_id: toolUseId, content, ...(isError ? { is_error: true } : {}) };
    return line({ type: 'user', message: { role: 'user', content: [block] }, parent_tool_use_id: null, session_id: this.id });
  }

  get turns(): number {
    return this.turn;
  }
}

function cost(u: Usage): number {
  const dollars = (u.input_tokens * PRICE.input + u.output_tokens * PRICE.output + u.cache_creation_input_tokens * PRICE.cacheWrite + u.cache_read_input_tokens * PRICE.cacheRead) / 1e6;
  return Math.round(dollars * 1e7) / 1e7;
}

export function buildEventsScript(o: SimOptions): Script {
  const rng = createRng(o.seed);
  const s = new Session(rng, o.seed);
  const task = o.prompt ?? 'the task';
  const writes: string[] = [line({ type: 'system', subtype: 'init', session_id: s.id, model: MODEL, tools: TOOLS, permissionMode: 'default', prompt: task })];
  const texts = paragraphs(rng, o.bytes, o.tools + 1);
  writes.push(s.assistant([{ type: 'text', text: `Working on: ${task}` }], task));
  let question: Question | undefined;
  for (let i = 0; i < o.tools; i++) {
    const id = `toolu_sim_${o.seed}_${i + 1}`;
    const name = pick(rng, TOOLS);
    writes.push(s.assistant([{ type: 'text', text: texts[i]! }, { type: 'tool_use', id, name, input: { file_path: pick(rng, FILES) } }], texts[i]!));
    writes.push(s.toolResult(id, `${intBetween(rng, 1, 400)} lines`));
    if (o.ask && !question && i === Math.floor((o.tools - 1) / 2)) question = ask(s, o, writes.length);
  }
  if (o.ask && !question) question = ask(s, o, writes.length);
  const exitCode = rng() < o.failRate ? 1 : o.exitCode;
  const summary = `${texts[o.tools]!} Done: ${o.tools} tool calls.`;
  writes.push(s.assistant([{ type: 'text', text: summary }], summary));
  writes.push(result(s, o, exitCode === 0 ? summary : `Failed with exit ${exitCode}.`, exitCode !== 0));
  return { writes, exitCode, ...(question ? { question } : {}) };
}

/**
 * A session that hit its usage limit, as Claude Code reports one: the limit event (rejected, with
 * its reset time in epoch seconds), then an error result naming it, exit 1.
 */
export function buildRateLimitedScript(o: SimOptions, now: number): Script {
  const s = new Session(createRng(o.seed), o.seed);
  const resetsAt = Math.ceil((now + o.rateLimitResetMs) / 1000);
  const writes = [
    line({ type: 'system', subtype: 'init', session_id: s.id, model: MODEL, tools: TOOLS, permissionMode: 'default', prompt: o.prompt ?? 'the task' }),
    line({ type: 'rate_limit_event', rate_limit_info: { status: 'rejected', rateLimitType: 'five_hour', resetsAt }, session_id: s.id }),
    line({ type: 'result', subtype: 'error_during_execution', is_error: true, duration_ms: 0, num_turns: 0, result: `Claude AI usage limit reached|${resetsAt}`, session_id: s.id, total_cost_usd: 0, usage: { ...s.usage } }),
  ];
  return { writes, exitCode: 1 };
}

/** Asks through Claude Code's AskUserQuestion tool; the answer comes back as its tool result. */
function ask(s: Session, o: SimOptions, at: number): Question {
  const id = `toolu_sim_${o.seed}_ask`;
  const input = { questions: [{ question: QUESTION, header: 'Confirm', options: [{ label: 'yes', description: 'Apply it' }, { label: 'no', description: 'Stop here' }], multiSelect: false }] };
  return {
    at,
    prompt: s.assistant([{ type: 'tool_use', id, name: 'AskUserQuestion', input }], QUESTION),
    answered: (answer) => [s.toolResult(id, `User answered: ${answer}`)],
    unanswered: [s.toolResult(id, `No answer within ${o.askTimeoutMs} ms`, true), result(s, o, `No answer to "${QUESTION}"`, true)],
  };
}

function result(s: Session, o: SimOptions, text: string, isError: boolean): string {
  return line({
    type: 'result',
    subtype: isError ? 'error_during_execution' : 'success',
    is_error: isError,
    duration_ms: o.durationMs,
    num_turns: s.turns,
    result: text,
    session_id: s.id,
    total_cost_usd: cost(s.usage),
    usage: { ...s.usage },
  });
}
