import { parseArgs } from 'node:util';
import { parseDuration, parseSize } from '../units.js';

export interface SimOptions {
  /** The task it was given (its positional arguments joined by spaces, or --prompt); null when none. */
  prompt: string | null;
  /** Seed of every random choice: same seed and options, same bytes. */
  seed: number;
  /** Total time the run takes, in ms (0: as fast as possible). */
  durationMs: number;
  /** Approximate bytes of streamed body text. */
  bytes: number;
  /** Cap on bytes per second (0: none). */
  rate: number;
  exitCode: number;
  /** Probability (0..1) of failing with exit 1, drawn from the seed. */
  failRate: number;
  tools: number;
  /** End with `sim-agent sha256=<hex> bytes=<n>` covering everything printed before it. */
  digest: boolean;
  /** After the summary, wait until killed. */
  hang: boolean;
  color: boolean;
  /** Print a Claude Code–style stream-json event stream instead of a terminal UI. */
  events: boolean;
  /** Stop half-way with a question and wait for a line of input on the terminal. */
  ask: boolean;
  /** Give up waiting for the answer after this many ms, exiting 1 (0: wait for ever). */
  askTimeoutMs: number;
  /** With events: the first N sessions that share rateLimitDir hit a usage limit (0: none). */
  rateLimit: number;
  /** Where sessions count themselves (one subdirectory each, made atomically); null: none. */
  rateLimitDir: string | null;
  /** How long after now the limit it reports resets. */
  rateLimitResetMs: number;
}

/** The options table: one place for names, defaults and help. */
export const AGENT_FLAGS = [
  ['--seed N', 'random seed [default: from $RELAY_TASK_ID and $RELAY_ATTEMPT (else $RELAY_WORKER_INDEX), else 1]'],
  ['--duration D', 'total run time, e.g. 500ms, 2s (a bare number is seconds); 0 = as fast as possible [default: 2s]'],
  ['--bytes SIZE', 'body text to stream, e.g. 4096, 64KB, 20MB (KiB/MiB: 1024-based) [default: 4KB]'],
  ['--rate SIZE', 'cap on bytes per second [default: none]'],
  ['--exit-code N', 'exit status [default: 0]'],
  ['--fail-rate P', 'probability 0..1 of exiting 1 instead, seeded [default: 0]'],
  ['--tools N', 'number of tool-call blocks [default: 3]'],
  ['--digest', 'last line: sha256 and byte count of everything printed before it'],
  ['--hang', 'do not exit after the summary (until killed)'],
  ['PROMPT...', 'the task, shown under the banner (what `relay fanout --task` appends)'],
  ['--events', 'print a Claude Code-style stream-json event stream (one JSON object per line)'],
  ['--prompt TEXT', 'the task, like PROMPT...'],
  ['--ask', 'half-way, ask a question and wait for a line of input on the terminal'],
  ['--ask-timeout D', 'exit 1 if no answer comes within D [default: wait for ever]'],
  ['--rate-limit N', 'with --events: the first N sessions sharing --rate-limit-dir print a rate_limit_event and a "usage limit reached" error result, and exit 1'],
  ['--rate-limit-dir DIR', 'where sessions count themselves for --rate-limit [default: $RELAY_SIM_RATE_LIMIT_DIR]'],
  ['--rate-limit-reset D', 'the limit resets D after it was hit (said in the event) [default: 1s]'],
] as const;

export function simHelp(): string {
  return AGENT_FLAGS.map(([flag, text]) => `  ${flag.padEnd(15)} ${text}`).join('\n');
}

/**
 * Under relay each task prints its own text, the same on every run, and a retry differs from the
 * attempt before (so --fail-rate can fail once and pass on retry). A numeric task id is the seed
 * itself: without a task list that is the worker number, as before.
 */
function defaultSeed(env: NodeJS.ProcessEnv): number {
  const id = env.RELAY_TASK_ID ?? env.RELAY_WORKER_INDEX ?? '';
  const base = /^\d+$/.test(id) ? Number(id) : id === '' ? 1 : fnv1a(id);
  const attempt = Number(env.RELAY_ATTEMPT ?? 1) || 1;
  return base + (attempt - 1) * 7919;
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text)) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h;
}

function number(flag: string, text: string | undefined, fallback: number, check: (n: number) => boolean, expected: string): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === '' || !check(n)) throw new Error(`--${flag}: expected ${expected}, got "${text}"`);
  return n;
}

function unit(flag: string, text: string | undefined, fallback: number, parse: (t: string) => number): number {
  if (text === undefined) return fallback;
  try {
    return parse(text);
  } catch (err) {
    throw new Error(`--${flag}: ${(err as Error).message}`);
  }
}

export function parseSimArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): SimOptions {
  const o = parseArgsOnly(argv, env);
  if (o.rateLimit > 0 && !o.rateLimitDir) throw new Error('--rate-limit: give --rate-limit-dir DIR (or $RELAY_SIM_RATE_LIMIT_DIR), where the sessions count themselves');
  return o;
}

function parseArgsOnly(argv: string[], env: NodeJS.ProcessEnv): SimOptions {
  const { values: v, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      seed: { type: 'string' }, duration: { type: 'string' }, bytes: { type: 'string' }, rate: { type: 'string' },
      'exit-code': { type: 'string' }, 'fail-rate': { type: 'string' }, tools: { type: 'string' },
      digest: { type: 'boolean' }, hang: { type: 'boolean' },
      events: { type: 'boolean' }, prompt: { type: 'string' }, ask: { type: 'boolean' }, 'ask-timeout': { type: 'string' },
      'rate-limit': { type: 'string' }, 'rate-limit-dir': { type: 'string' }, 'rate-limit-reset': { type: 'string' },
    },
  });
  const int = (n: number): boolean => Number.isInteger(n) && n >= 0;
  return {
    prompt: positionals.length > 0 ? positionals.join(' ') : (v.prompt ?? null),
    seed: number('seed', v.seed, defaultSeed(env), Number.isInteger, 'an integer'),
    durationMs: unit('duration', v.duration, 2000, parseDuration),
    bytes: unit('bytes', v.bytes, 4000, parseSize),
    rate: unit('rate', v.rate, 0, parseSize),
    exitCode: number('exit-code', v['exit-code'], 0, (n) => int(n) && n < 256, 'an integer from 0 to 255'),
    failRate: number('fail-rate', v['fail-rate'], 0, (n) => n >= 0 && n <= 1, 'a number between 0 and 1'),
    tools: number('tools', v.tools, 3, int, 'a whole number'),
    digest: v.digest ?? false,
    hang: v.hang ?? false,
    color: !env.NO_COLOR,
    events: v.events ?? false,
    ask: v.ask ?? false,
    askTimeoutMs: unit('ask-timeout', v['ask-timeout'], 0, parseDuration),
    rateLimit: number('rate-limit', v['rate-limit'], 0, int, 'a whole number'),
    rateLimitDir: v['rate-limit-dir'] ?? env.RELAY_SIM_RATE_LIMIT_DIR ?? null,
    rateLimitResetMs: unit('rate-limit-reset', v['rate-limit-reset'], 1000, parseDuration),
  };
}
