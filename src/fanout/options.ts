import { createHash } from 'node:crypto';
import { usageError } from '../errors.js';
import { DEFAULT_COALESCE_MS } from './coalesce.js';
import { resolveLineMode, type LineMode, type LineModeOptions } from '../lines/line-mode.js';
import { implicitTasks, type Task } from '../tasks/task.js';
import { selectShard, type Shard } from '../tasks/shard.js';
import { checkTemplate } from '../tasks/template.js';
import type { PtySpawner } from '../pty/pty.js';
import { checkNative } from '../pty/native.js';
import type { RunExtension } from './extension.js';
import { VERSION } from '../version.js';
import { MAX_DURATION_MS } from '../units.js';
import { realTimers, type Timers } from '../timers.js';

/** A task as a library caller gives it, the same shape as a task file's JSON line; a plain string is `{ prompt }`. */
export interface TaskInput {
  /** Unique id. Default: the task's number as text. */
  id?: string;
  /** The task text (an agent's prompt): `{}` in the command, RELAY_TASK in the environment. */
  prompt: string;
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
  /**
   * Resume a run of the same task list: the tasks whose ids are in `succeeded` are not run again
   * (counted as `skipped`); `from` is that run's id. See readResumePoint() for reading it from a
   * frame file. Default: none.
   */
  resume?: { from: string; succeeded: readonly string[] };
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
  /**
   * Budgets, from the running totals an extension reports (agent runs: each agent's own cost and
   * input + output tokens). Once every attempt's together reach maxCostUsd or maxTokens, nothing
   * more starts and the running attempts are stopped (reason "budget", run_finished reason
   * "budget"); an attempt whose own totals reach taskMaxCostUsd or taskMaxTokens is stopped
   * (reason "budget", not retried). Default: none.
   */
  maxCostUsd?: number;
  maxTokens?: number;
  taskMaxCostUsd?: number;
  taskMaxTokens?: number;
  /** Start attempts at least this many ms apart (agents started in a burst hit rate limits). Default 0. */
  staggerMs?: number;
  /** Typed into every worker's terminal once it has started. Default: nothing. */
  input?: string | Buffer;
  /**
   * After `input` (or alone), end the worker's input: ^D is typed (twice when the input does not
   * end a line), which a terminal in its default, line-editing mode reads as end of file, so a
   * program that reads stdin to its end (cat, wc, jq, a prompt from stdin) gets EOF. A program
   * that turned its terminal raw reads the ^D as a byte instead. Default false.
   */
  inputEof?: boolean;
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
   * Milliseconds a worker's output may be held to send consecutive reads as one worker_stream
   * frame (longer while the consumer is behind, never past other frames of that worker). 0: a
   * frame per terminal read. Default 20.
   */
  coalesceMs?: number;
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

type Optionals = 'resume' | 'extension' | 'signal' | 'runId' | 'spawn' | 'env' | 'tasks' | 'shard' | 'maxFailures' | 'timeoutMs' | 'idleTimeoutMs' | 'input' | 'lines' | 'stream' | 'maxCostUsd' | 'maxTokens' | 'taskMaxCostUsd' | 'taskMaxTokens';

export interface ResolvedOptions extends Required<Omit<FanoutOptions, Optionals>> {
  /** Null when line mode is off. */
  lines: LineMode | null;
  env: Record<string, string>;
  /** The tasks this run runs (after the shard was taken), numbered in the full list. */
  tasks: Task[];
  /** False when the tasks are the implicit one-per-worker ones. */
  taskList: boolean;
  shard: Shard | undefined;
  /** sha256 of the full task list (ids and texts in order), with a task list. */
  taskDigest: string | undefined;
  resume: { from: string; succeeded: ReadonlySet<string> } | undefined;
  maxFailures: number | undefined;
  maxCostUsd: number | undefined;
  maxTokens: number | undefined;
  taskMaxCostUsd: number | undefined;
  taskMaxTokens: number | undefined;
  timeoutMs: number | undefined;
  idleTimeoutMs: number | undefined;
  input: string | Buffer | undefined;
  inputEof: boolean;
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
  /** The largest --cols / --rows: a terminal's size is 16 bits wide in the kernel (ioctl TIOCSWINSZ), and a screen that size is already far beyond any display. */
  maxTerminalSize: 4096,
  highWaterMark: 64 * 1024,
  coalesceMs: DEFAULT_COALESCE_MS,
} as const;

/** Variables that describe the terminal relay runs in, not the worker's own terminal. */
const TERMINAL_VARIABLES = ['TMUX', 'TMUX_PANE', 'STY', 'WINDOW', 'WINDOWID', 'TERMCAP', 'COLUMNS', 'LINES'];

// Errors name the option as a library caller wrote it; the CLI edge says which flag that is.
function positiveInteger(option: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw usageError(`must be a positive integer, got ${value}`, { option, value });
  return value;
}

function nonNegativeInteger(option: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw usageError(`must be 0 or a positive integer, got ${value}`, { option, value });
  return value;
}

function terminalSize(option: string, value: number): number {
  positiveInteger(option, value);
  if (value > DEFAULTS.maxTerminalSize) throw usageError(`must be at most ${DEFAULTS.maxTerminalSize}, got ${value}`, { option, value });
  return value;
}

function positiveAmount(option: string, value: number | undefined): number | undefined {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) throw usageError(`must be a positive number, got ${value}`, { option, value });
  return value;
}

/** A timer's delay: above MAX_DURATION_MS, setTimeout would fire at once. */
function timerMs(option: string, value: number): number {
  if (value > MAX_DURATION_MS) throw usageError(`must be at most ${MAX_DURATION_MS} ms (what a timer can hold), got ${value}`, { option, value });
  return value;
}

function positiveMs(option: string, value: number | undefined): number | undefined {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) throw usageError(`must be more than 0 ms, got ${value}`, { option, value });
  return value === undefined ? value : timerMs(option, value);
}

/** Numbers the list (numbers are positions in the full list), fills default ids, rejects duplicate ids. */
function numberTasks(input: readonly (string | TaskInput)[]): Task[] {
  const seen = new Map<string, number>();
  return input.map((item, i) => {
    const spec = typeof item === 'string' ? { prompt: item } : item;
    const task: Task = { number: i + 1, id: spec.id ?? String(i + 1), text: spec.prompt };
    // A command argument is a C string: a NUL would silently cut the task (and a quoted script) short.
    if ([task.text, task.id, spec.cwd ?? ''].some((s) => (s ?? '').includes('\0'))) throw usageError(`task ${i + 1} contains a NUL character, which no command argument can carry`, { option: 'tasks' });
    if (seen.has(task.id)) throw usageError(`duplicate task id "${task.id}" (tasks ${seen.get(task.id)} and ${i + 1})`, { option: 'tasks', value: task.id });
    seen.set(task.id, i + 1);
    if (spec.cwd !== undefined) task.cwd = spec.cwd;
    if (spec.env !== undefined) task.env = spec.env;
    return task;
  });
}

/** Tasks and worker slots: slots default to the task count (capped), and never exceed it. */
/** What --resume-from compares: the whole list, ids and texts in order, before any shard. */
export function taskListDigest(tasks: readonly Pick<Task, 'id' | 'text'>[]): string {
  const hash = createHash('sha256');
  for (const t of tasks) hash.update(JSON.stringify([t.id, t.text])).update('\n');
  return hash.digest('hex');
}

function resolveTasks(options: FanoutOptions): { tasks: Task[]; taskList: boolean; workers: number; taskDigest: string | undefined } {
  if (options.tasks === undefined) {
    if (options.shard) throw usageError('needs a task list to take a slice of (tasks)', { option: 'shard', value: options.shard });
    const workers = positiveInteger('workers', options.workers ?? DEFAULTS.workers);
    if (options.resume) throw usageError('resume needs a task list');
    return { tasks: implicitTasks(workers), taskList: false, workers, taskDigest: undefined };
  }
  const all = numberTasks(options.tasks);
  const tasks = options.shard ? selectShard(all, options.shard) : all;
  const wanted = positiveInteger('workers', options.workers ?? (Math.min(all.length, DEFAULTS.maxDefaultWorkers) || 1));
  const unknown = options.resume?.succeeded.find((id) => !all.some((t) => t.id === id));
  if (unknown !== undefined) throw usageError(`resume: task "${unknown}" is not in the task list`);
  const skipped = new Set(options.resume?.succeeded ?? []);
  const toRun = tasks.filter((t) => !skipped.has(t.id)).length;
  return { tasks, taskList: true, workers: Math.max(1, Math.min(wanted, toRun || 1)), taskDigest: taskListDigest(all) };
}

function workerEnv(env: NodeJS.ProcessEnv, cwd: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !TERMINAL_VARIABLES.includes(k)) out[k] = v;
  out.TERM = 'xterm-256color';
  out.PWD = cwd;
  return out;
}

export function resolveOptions(options: FanoutOptions): ResolvedOptions {
  if (!options.command || options.command.length === 0) {
    throw usageError('give the command to run (for the built-in simulated agent: simCommand() from relay)', { option: 'command', value: options.command });
  }
  const command = [...options.command];
  // node-pty's terminals, unless the caller brings its own: one line now if they cannot work here.
  if (!options.spawn) checkNative();
  const highWaterMark = positiveInteger('highWaterMark', options.highWaterMark ?? DEFAULTS.highWaterMark);
  const lowWaterMark = options.lowWaterMark ?? Math.floor(highWaterMark / 4);
  if (!(lowWaterMark >= 0 && lowWaterMark <= highWaterMark)) {
    throw usageError(`must lie between 0 and the high water mark (${highWaterMark}), got ${lowWaterMark}`, { option: 'lowWaterMark', value: lowWaterMark });
  }
  const graceMs = options.graceMs ?? DEFAULTS.graceMs;
  if (!(graceMs >= 0)) throw usageError(`must be 0 or more, got ${graceMs}`, { option: 'graceMs', value: graceMs });
  timerMs('graceMs', graceMs);
  const coalesceMs = options.coalesceMs ?? DEFAULTS.coalesceMs;
  if (!(coalesceMs >= 0)) throw usageError(`must be 0 or more, got ${coalesceMs}`, { option: 'coalesceMs', value: coalesceMs });
  timerMs('coalesceMs', coalesceMs);
  const cwd = options.cwd ?? process.cwd();
  const maxFailures = options.maxFailures === undefined ? undefined : positiveInteger('maxFailures', options.maxFailures);
  const tasks = resolveTasks(options);
  checkTemplate(command, tasks.taskList);
  return {
    command,
    ...tasks,
    shard: options.shard,
    resume: options.resume ? { from: options.resume.from, succeeded: new Set(options.resume.succeeded) } : undefined,
    maxFailures,
    maxCostUsd: positiveAmount('maxCostUsd', options.maxCostUsd),
    maxTokens: options.maxTokens === undefined ? undefined : positiveInteger('maxTokens', options.maxTokens),
    taskMaxCostUsd: positiveAmount('taskMaxCostUsd', options.taskMaxCostUsd),
    taskMaxTokens: options.taskMaxTokens === undefined ? undefined : positiveInteger('taskMaxTokens', options.taskMaxTokens),
    timeoutMs: positiveMs('timeoutMs', options.timeoutMs),
    idleTimeoutMs: positiveMs('idleTimeoutMs', options.idleTimeoutMs),
    killIdle: options.killIdle ?? false,
    retries: nonNegativeInteger('retries', options.retries ?? 0),
    staggerMs: timerMs('staggerMs', nonNegativeInteger('staggerMs', options.staggerMs ?? 0)),
    retryDelayMs: timerMs('retryDelayMs', nonNegativeInteger('retryDelayMs', options.retryDelayMs ?? DEFAULTS.retryDelayMs)),
    input: options.input,
    inputEof: options.inputEof ?? false,
    cols: terminalSize('cols', options.cols ?? DEFAULTS.cols),
    rows: terminalSize('rows', options.rows ?? DEFAULTS.rows),
    cwd,
    env: workerEnv(options.env ?? process.env, cwd),
    graceMs,
    coalesceMs,
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
