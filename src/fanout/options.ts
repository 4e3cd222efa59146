import { usageError } from '../errors.js';
import { resolveLineMode, type LineMode, type LineModeOptions } from '../lines/line-mode.js';
import { implicitTasks, type Task } from '../tasks/task.js';
import { selectShard, type Shard } from '../tasks/shard.js';
import type { PtySpawner } from '../pty/pty.js';
import type { RunExtension } from './extension.js';
import { VERSION } from '../version.js';
import { realTimers, type Timers } from '../timers.js';

/** A task as a library caller gives it; a plain string is `{ text }`. */
export interface TaskInput {
  /** Unique id. Default: the task's number as text. */
  id?: string;
  /** The task text: `{}` in the command, RELAY_TASK in the environment. */
  text: string;
  /** Working directory, relative to `cwd`. */
  cwd?: string;
  /** Extra environment. */
  env?: Record<string, string>;
}

/** Everything a fanout can be told. Only `command` is required; defaults are listed per field. */
export interface FanoutOptions {
  /**
   * Command and arguments. Placeholders: `{}` task text, `{#}` task number, `{id}` task id,
   * `{%}` worker slot number; with a task list and no placeholder, the task text is appended as
   * the last argument. Required; `simCommand()` is the built-in simulated agent.
   */
  command: readonly string[];
  /** Tasks, each run once on a free worker slot. Default: one task per worker, without text. */
  tasks?: readonly (string | TaskInput)[];
  /** Run only the K-th of N slices of `tasks` (task i goes to slice ((i - 1) mod N) + 1). */
  shard?: Shard;
  /** Worker slots, i.e. how many tasks run at once. Default: the number of tasks, at most 9; 4 without tasks. Never more than the tasks. */
  workers?: number;
  /** After this many tasks failed (after their retries), stop the others (reason "cancelled") and start no more. Default: never (the CLI's --fail-fast is 1). */
  maxFailures?: number;
  /** Per attempt: stop a task still running after this many ms (reason "timeout"). Default: none. */
  timeoutMs?: number;
  /** Report a worker that printed nothing for this many ms (a worker_idle frame). Default: none. */
  idleTimeoutMs?: number;
  /** With idleTimeoutMs: also stop it (reason "idle"). Default false. */
  killIdle?: boolean;
  /** Re-run a failed task (non-zero exit, signal, timeout, idle) up to this many times. Default 0. */
  retries?: number;
  /** Back-off before the first retry, doubling for each further one (capped at max(this, 60 s)). Default 1000. */
  retryDelayMs?: number;
  /** Typed into every worker's terminal once it has started. Default: nothing. */
  input?: string | Buffer;
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
  /**
   * Steps around every attempt and fields for run_finished (src/fanout/extension.ts). Agent-aware
   * runs are one: `AgentExtension.open()` from 'relay/agents' (agent_event frames, on-input, a
   * worktree per attempt, the results folder). Default: none.
   */
  extension?: RunExtension;
  /** Run id for the run_started frame. Default: a random UUID. */
  runId?: string;
  /** Spawns a terminal; injectable for tests. Default: node-pty. */
  spawn?: PtySpawner;
  /** Clock in ms since the epoch; injectable for tests. Default: Date.now. */
  now?: () => number;
  /** Every timer of the run (timeout, idle, retry back-off, kill after grace); injectable with `now` for a fake clock. Default: setTimeout. */
  timers?: Timers;
}

type Optionals = 'extension' | 'signal' | 'runId' | 'spawn' | 'env' | 'tasks' | 'shard' | 'maxFailures' | 'timeoutMs' | 'idleTimeoutMs' | 'input' | 'lines' | 'stream';

export interface ResolvedOptions extends Required<Omit<FanoutOptions, Optionals>> {
  /** Null when line mode is off. */
  lines: LineMode | null;
  env: Record<string, string>;
  /** The tasks this run runs (after the shard was taken), numbered in the full list. */
  tasks: Task[];
  /** False when the tasks are the implicit one-per-worker ones. */
  taskList: boolean;
  shard: Shard | undefined;
  maxFailures: number | undefined;
  timeoutMs: number | undefined;
  idleTimeoutMs: number | undefined;
  input: string | Buffer | undefined;
  signal: AbortSignal | undefined;
  extension: RunExtension | undefined;
  runId: string | undefined;
  spawn: PtySpawner | undefined;
  version: string;
}

export const DEFAULTS = {
  workers: 4,
  /** Cap on the default worker count when there is a task list (agents are heavy; ask for more with --workers). */
  maxDefaultWorkers: 9,
  retryDelayMs: 1000,
  cols: 120,
  rows: 40,
  graceMs: 3000,
  highWaterMark: 64 * 1024,
} as const;

/** Variables that describe the terminal relay runs in, not the worker's own terminal. */
const TERMINAL_VARIABLES = ['TMUX', 'TMUX_PANE', 'STY', 'WINDOW', 'WINDOWID', 'TERMCAP', 'COLUMNS', 'LINES'];

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw usageError(`${name} must be a positive integer, got ${value}`);
  return value;
}

function nonNegativeInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw usageError(`${name} must be 0 or a positive integer, got ${value}`);
  return value;
}

function positiveMs(name: string, value: number | undefined): number | undefined {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) throw usageError(`${name} must be more than 0 ms, got ${value}`);
  return value;
}

/** Numbers the list (numbers are positions in the full list), fills default ids, rejects duplicate ids. */
function numberTasks(input: readonly (string | TaskInput)[]): Task[] {
  const seen = new Set<string>();
  return input.map((item, i) => {
    const spec = typeof item === 'string' ? { text: item } : item;
    const task: Task = { number: i + 1, id: spec.id ?? String(i + 1), text: spec.text };
    if (seen.has(task.id)) throw usageError(`tasks: duplicate task id "${task.id}"`);
    seen.add(task.id);
    if (spec.cwd !== undefined) task.cwd = spec.cwd;
    if (spec.env !== undefined) task.env = spec.env;
    return task;
  });
}

/** Tasks and worker slots: slots default to the task count (capped), and never exceed it. */
function resolveTasks(options: FanoutOptions): { tasks: Task[]; taskList: boolean; workers: number } {
  if (options.tasks === undefined) {
    if (options.shard) throw usageError('shard needs a task list (--tasks or --task)');
    const workers = positiveInteger('workers', options.workers ?? DEFAULTS.workers);
    return { tasks: implicitTasks(workers), taskList: false, workers };
  }
  const all = numberTasks(options.tasks);
  const tasks = options.shard ? selectShard(all, options.shard) : all;
  const wanted = positiveInteger('workers', options.workers ?? (Math.min(all.length, DEFAULTS.maxDefaultWorkers) || 1));
  return { tasks, taskList: true, workers: Math.max(1, Math.min(wanted, tasks.length)) };
}

function workerEnv(env: NodeJS.ProcessEnv, cwd: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !TERMINAL_VARIABLES.includes(k)) out[k] = v;
  out.TERM = 'xterm-256color';
  out.PWD = cwd;
  return out;
}

export function resolveOptions(options: FanoutOptions): ResolvedOptions {
  if (!options.command || options.command.length === 0) throw usageError('command: give the command to run (for the built-in simulated agent: simCommand() from relay)');
  const command = [...options.command];
  const highWaterMark = positiveInteger('highWaterMark', options.highWaterMark ?? DEFAULTS.highWaterMark);
  const lowWaterMark = options.lowWaterMark ?? Math.floor(highWaterMark / 4);
  if (lowWaterMark < 0 || lowWaterMark > highWaterMark) throw usageError(`lowWaterMark must lie between 0 and highWaterMark, got ${lowWaterMark}`);
  const graceMs = options.graceMs ?? DEFAULTS.graceMs;
  if (!(graceMs >= 0)) throw usageError(`graceMs must be 0 or more, got ${graceMs}`);
  const cwd = options.cwd ?? process.cwd();
  const maxFailures = options.maxFailures === undefined ? undefined : positiveInteger('maxFailures', options.maxFailures);
  return {
    command,
    ...resolveTasks(options),
    shard: options.shard,
    maxFailures,
    timeoutMs: positiveMs('timeoutMs', options.timeoutMs),
    idleTimeoutMs: positiveMs('idleTimeoutMs', options.idleTimeoutMs),
    killIdle: options.killIdle ?? false,
    retries: nonNegativeInteger('retries', options.retries ?? 0),
    retryDelayMs: nonNegativeInteger('retryDelayMs', options.retryDelayMs ?? DEFAULTS.retryDelayMs),
    input: options.input,
    cols: positiveInteger('cols', options.cols ?? DEFAULTS.cols),
    rows: positiveInteger('rows', options.rows ?? DEFAULTS.rows),
    cwd,
    env: workerEnv(options.env ?? process.env, cwd),
    graceMs,
    highWaterMark,
    lowWaterMark,
    lines: resolveLineMode(options.lines, options.stream),
    signal: options.signal,
    extension: options.extension,
    runId: options.runId,
    spawn: options.spawn,
    now: options.now ?? Date.now,
    timers: options.timers ?? realTimers,
    version: VERSION,
  };
}
