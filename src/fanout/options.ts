import { fileURLToPath } from 'node:url';
import { usageError } from '../errors.js';
import { resolveLineMode, type LineMode, type LineModeOptions } from '../lines/line-mode.js';
import type { PtySpawner } from '../workers/pty.js';
import { VERSION } from '../version.js';

/** Everything a fanout can be told. Every field is optional; defaults are listed per field. */
export interface FanoutOptions {
  /** Command and arguments; `{#}` in any argument becomes the worker's number. Default: the built-in simulated agent. */
  command?: readonly string[];
  /** How many workers to start. Default 4. */
  workers?: number;
  /** Terminal size of every worker. Default 120 × 40. */
  cols?: number;
  rows?: number;
  /** Working directory of the workers. Default: process.cwd(). */
  cwd?: string;
  /** Environment of the workers (TERM, RELAY_WORKER and RELAY_WORKER_INDEX are added). Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Milliseconds between asking a worker to stop and SIGKILL. Default 3000. */
  graceMs?: number;
  /** Approximate bytes of frames queued for a slow consumer before the workers are paused. Default 64 KiB. */
  highWaterMark?: number;
  /** Queued bytes at which paused workers resume. Default highWaterMark / 4. */
  lowWaterMark?: number;
  /** Aborting it stops the run (reason "aborted"). */
  signal?: AbortSignal;
  /** Line mode: also emit worker_line frames (true, or its settings). Default off. See src/lines/. */
  lines?: boolean | LineModeOptions;
  /** Emit worker_stream frames. Default true; false implies line mode. */
  stream?: boolean;
  /** Run id for the run_started frame. Default: a random UUID. */
  runId?: string;
  /** Spawns a terminal; injectable for tests. Default: node-pty. */
  spawn?: PtySpawner;
  /** Clock in ms since the epoch; injectable for tests. Default: Date.now. */
  now?: () => number;
}

export interface ResolvedOptions extends Required<Omit<FanoutOptions, 'signal' | 'runId' | 'spawn' | 'env' | 'lines' | 'stream'>> {
  /** Null when line mode is off. */
  lines: LineMode | null;
  env: Record<string, string>;
  signal: AbortSignal | undefined;
  runId: string | undefined;
  spawn: PtySpawner | undefined;
  version: string;
}

export const DEFAULTS = {
  workers: 4,
  cols: 120,
  rows: 40,
  graceMs: 3000,
  highWaterMark: 64 * 1024,
} as const;

/** Variables that describe the terminal relay runs in, not the worker's own terminal. */
const TERMINAL_VARIABLES = ['TMUX', 'TMUX_PANE', 'STY', 'WINDOW', 'WINDOWID', 'TERMCAP', 'COLUMNS', 'LINES'];

/** The built-in simulated agent, started with the same Node that runs relay. */
export function agentCommand(args: readonly string[] = []): string[] {
  // The compiled agent beside the compiled engine (dist/agent/main.js): no oclif start-up per worker.
  return [process.execPath, fileURLToPath(new URL('../agent/main.js', import.meta.url)), ...args];
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw usageError(`${name} must be a positive integer, got ${value}`);
  return value;
}

function workerEnv(env: NodeJS.ProcessEnv, cwd: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !TERMINAL_VARIABLES.includes(k)) out[k] = v;
  out.TERM = 'xterm-256color';
  out.PWD = cwd;
  return out;
}

export function resolveOptions(options: FanoutOptions): ResolvedOptions {
  const command = options.command && options.command.length > 0 ? [...options.command] : agentCommand();
  const highWaterMark = positiveInteger('highWaterMark', options.highWaterMark ?? DEFAULTS.highWaterMark);
  const lowWaterMark = options.lowWaterMark ?? Math.floor(highWaterMark / 4);
  if (lowWaterMark < 0 || lowWaterMark > highWaterMark) throw usageError(`lowWaterMark must lie between 0 and highWaterMark, got ${lowWaterMark}`);
  const graceMs = options.graceMs ?? DEFAULTS.graceMs;
  if (!(graceMs >= 0)) throw usageError(`graceMs must be 0 or more, got ${graceMs}`);
  const cwd = options.cwd ?? process.cwd();
  return {
    command,
    workers: positiveInteger('workers', options.workers ?? DEFAULTS.workers),
    cols: positiveInteger('cols', options.cols ?? DEFAULTS.cols),
    rows: positiveInteger('rows', options.rows ?? DEFAULTS.rows),
    cwd,
    env: workerEnv(options.env ?? process.env, cwd),
    graceMs,
    highWaterMark,
    lowWaterMark,
    lines: resolveLineMode(options.lines, options.stream),
    signal: options.signal,
    runId: options.runId,
    spawn: options.spawn,
    now: options.now ?? Date.now,
    version: VERSION,
  };
}
