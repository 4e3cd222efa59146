// Wires one fanout together, in this order (each step's clean-up runs in reverse):
//  0. inputs: the task list and --input-file are read and checked before anything is opened; the
//     agent plan (config file, --agent preset, installed?) and the AgentExtension (repository check for
//     --worktree, the --results folder) likewise: usage errors come before anything reaches stdout;
//  1. destination: opened first, so a bad --output fails before any worker starts;
//  2. engine run: starts the workers;
//  3. progress: observes the run on stderr (never stdout);
//  4. signals and output failure: both turn into a graceful stop of the run;
//  5. pump: frames from the run into the writer; a slow reader pauses the run through it;
//  6. end: close the AgentExtension (manifest, worktrees left), flush the writer, stop progress (which prints the summary),
//     and return the exit status (never process.exit, which would drop buffered frames), except when a stalled reader
//     must be abandoned: then the AgentExtension is aborted (its worktrees removed) first.
import { randomUUID } from 'node:crypto';
import { AgentExtension } from '../agents/extension.js';
import { loadScreens } from '../replay/screen.js';
import { planAgentFlags } from './agent-flags.js';
import { simCommand } from '../sim/command.js';
import { encodeFrame } from '../frames/encode.js';
import { fanout, type FanoutRun, type RunResult } from '../fanout/run.js';
import { createProgress, type ProgressMode } from '../progress/index.js';
import { FrameWriter, DEFAULT_HIGH_WATER_MARK } from '../writer/frame-writer.js';
import type { Shard } from '../tasks/shard.js';
import { loadInput, loadTasks } from './inputs.js';
import { openDestination } from './output.js';
import { handleSignals } from './signals.js';
import { recordDebugStats } from './debug-stats.js';
import { watchStepSummary } from './step-summary.js';
import { usageError, type RelayError } from '../errors.js';

export interface FanoutCliOptions {
  command: string[] | undefined;
  workers: number | undefined;
  tasksFile: string | undefined;
  task: string[] | undefined;
  shard: Shard | undefined;
  maxFailures: number | undefined;
  timeoutMs: number | undefined;
  idleTimeoutMs: number | undefined;
  killIdle: boolean;
  retries: number;
  retryDelayMs: number;
  input: string | undefined;
  inputFile: string | undefined;
  cols: number;
  rows: number;
  output: string | undefined;
  progress: ProgressMode;
  graceMs: number;
  highWaterMark: number | undefined;
  lowWaterMark: number | undefined;
  /** Line mode: worker_line frames. */
  lines: boolean;
  /** worker_stream frames (false implies lines). */
  stream: boolean;
  /** --agent NAME: a preset (built-in or from the config file). */
  agent: string | undefined;
  /** --on-input fail|wait|answer:TEXT */
  onInput: string | undefined;
  /** --worktree / --no-worktree (undefined: the config's default). */
  worktree: boolean | undefined;
  keepWorktrees: boolean | undefined;
  /** --results DIR */
  results: string | undefined;
}

/** After the reader went away nobody wants the output: hang up on the workers, briefly. */
const OUTPUT_CLOSED_STOP = { signal: 'SIGHUP', graceMs: 250 } as const;

export async function runFanout(options: FanoutCliOptions): Promise<number> {
  recordDebugStats();
  const tasks = await loadTasks(options.tasksFile, options.task, process.stdin);
  if (options.shard && !tasks) throw usageError('--shard needs a task list (--tasks or --task)');
  const input = loadInput(options.input, options.inputFile);
  const plan = planAgentFlags({ ...options, taskList: tasks !== undefined });
  const runId = randomUUID();
  const agentRun = plan.run
    ? await AgentExtension.open({ ...plan.run, runId, cwd: process.cwd(), cols: options.cols, rows: options.rows, screens: loadScreens })
    : undefined;
  const destination = openDestination(options.output, process.stdout);
  const writer = destination.stream
    ? new FrameWriter(destination.stream, {
        highWaterMark: options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK,
        lowWaterMark: options.lowWaterMark,
        endDestination: destination.isFile,
      })
    : null;
  // Live redraws and frames on one terminal would garble each other: fall back to plain lines.
  const mode = destination.sharesTerminal && options.progress === 'auto' ? 'plain' : options.progress;
  const progress = await createProgress(mode, { stderr: process.stderr });
  const run = fanout({
    runId,
    extension: agentRun,
    command: plan.command ?? simCommand(),
    workers: plan.workers,
    tasks,
    shard: options.shard,
    maxFailures: options.maxFailures,
    timeoutMs: options.timeoutMs,
    idleTimeoutMs: plan.idleTimeoutMs,
    killIdle: options.killIdle,
    retries: options.retries,
    retryDelayMs: options.retryDelayMs,
    input,
    cols: options.cols,
    rows: options.rows,
    graceMs: options.graceMs,
    lines: options.lines,
    stream: options.stream,
  });
  if (destination.notice) process.stderr.write(`relay: ${destination.notice}\n`);
  progress.start(run);
  const stepSummary = watchStepSummary(run, process.env, process.stderr);

  let forced: number | undefined;
  const releaseSignals = handleSignals(run, {
    onStop: (signal) => process.stderr.write(`relay: ${signal}: stopping workers (send it again to kill them now)\n`),
    onForce: (code) => (forced = code),
  });
  writer?.onFailure(() => run.stop('output_closed', OUTPUT_CLOSED_STOP));

  const pumped = pump(run, writer);
  const result = await run.result;
  // A failure here (git, disk) must not cost the frames: say it and go on; a results folder
  // that could not be written fails the run (74), as the frames' destination would.
  let resultsFailed = false;
  await agentRun?.close({ ok: result.ok, exitCode: result.exitCode, reason: result.reason }).catch((err: Error) => {
    process.stderr.write(`relay: ${err.message}\n`);
    resultsFailed = (err as RelayError).code === 'OUTPUT_FAILED';
  });
  const flushed = await flush(pumped, writer, result, () => forced !== undefined);
  await progress.stop();
  await stepSummary?.finish();
  releaseSignals();
  const code = forced ?? (resultsFailed ? 74 : exitCode(result, writer?.error));
  if (!flushed) {
    // The reader is stalled and we are stopping: its pipe would keep us alive forever.
    await agentRun?.abort();
    process.exit(code);
  }
  return code;
}

/** Frames from the run to the writer; once the writer has failed, frames are taken and dropped so the run can end. */
async function pump(run: FanoutRun, writer: FrameWriter | null): Promise<void> {
  for await (const frame of run) {
    if (!writer || writer.error) continue;
    try {
      await writer.write(encodeFrame(frame));
    } catch {
      // The failure is handled through onFailure; keep draining.
    }
  }
  await writer?.end().catch(() => {});
}

/**
 * Waits for every frame to be written. A completed run waits as long as the reader needs; a
 * stopped one (Ctrl-C during a stall) gives the reader at most a moment, so relay still exits.
 */
async function flush(pumped: Promise<void>, writer: FrameWriter | null, result: RunResult, forcedNow: () => boolean): Promise<boolean> {
  if (!writer) return true;
  if (result.reason === 'completed' || result.reason === 'output_closed') {
    await pumped;
    return true;
  }
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), forcedNow() ? 0 : 1000)));
  const done = await Promise.race([pumped.then(() => true as const), deadline]);
  clearTimeout(timer);
  return done;
}

function exitCode(result: RunResult, writeError: RelayError | undefined): number {
  if (writeError?.code === 'OUTPUT_FAILED') return 74;
  // The reader left after the last worker ended: still a closed pipe.
  if (writeError && result.reason === 'completed') return 141;
  return result.exitCode;
}
