// Wires one fanout together, in this order (each step's clean-up runs in reverse):
//  0. inputs: the task list and --input-file are read and checked before anything is opened; the
//     agent plan (config file, --agent preset, installed?) and the AgentExtension (repository check
//     for --worktree, the --results folder) likewise: usage errors come before anything reaches stdout;
//  1. destination: opened first, so a bad --output fails before any worker starts;
//  2. engine run: starts the workers; its control socket (relay ls / attach / send) is opened
//     first, so it listens before any worker starts, and closed as soon as the run has ended;
//  3. progress: observes the run on stderr (never stdout);
//  4. signals: a graceful stop of the run (a second one kills);
//  5. frames: run.pipeTo(destination) (the engine's pump: backpressure, output failures, flush);
//  6. end: close the AgentExtension (manifest, worktrees left), stop progress (which prints the
//     summary), and return the exit status (never process.exit, which would drop buffered
//     frames), except when a stalled reader was abandoned after a stop: its pipe would keep us
//     alive, so the AgentExtension is aborted (worktrees removed) and the process exits.
import { randomUUID } from 'node:crypto';
import type { AgentExtension } from '../agents/extension.js';
import { fanout, type FanoutOptions, type FanoutRun, type RunResult } from '../fanout/run.js';
import { createProgress, type ProgressMode } from '../progress/index.js';
import { simCommand } from '../sim/command.js';
import { DEFAULT_HIGH_WATER_MARK, FrameWriter } from '../writer/frame-writer.js';
import { planAgentFlags, type AgentPlan } from './agent-flags.js';
import { recordDebugStats } from './debug-stats.js';
import { loadInput, loadTasks } from './inputs.js';
import { openDestination } from './output.js';
import { handleSignals } from './signals.js';
import { watchStepSummary } from './step-summary.js';
import { usageError, type RelayError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { ControlServer } from '../control/server.js';
import { VERSION } from '../version.js';

/** Engine options the flags set directly, by their engine names (mapped once, in the command). */
export type EngineFlags = Pick<
  FanoutOptions,
  'shard' | 'maxFailures' | 'maxCostUsd' | 'maxTokens' | 'taskMaxCostUsd' | 'taskMaxTokens' | 'timeoutMs' | 'killIdle' | 'retries' | 'retryDelayMs' | 'staggerMs' | 'inputEof' | 'cols' | 'rows' | 'graceMs' | 'coalesceMs' | 'lines' | 'stream'
>;

export interface FanoutCliOptions {
  engine: EngineFlags;
  /** Everything after "--"; undefined: the simulated agent (or the config's default agent). */
  command: string[] | undefined;
  workers: number | undefined;
  idleTimeoutMs: number | undefined;
  tasksFile: string | undefined;
  task: string[] | undefined;
  input: string | undefined;
  inputFile: string | undefined;
  output: string | undefined;
  progress: ProgressMode;
  /** Plain progress: lines of each failed task's output to show (--failure-lines). */
  failureLines: number | undefined;
  /** Plain progress: every line of output, prefixed (--tag). */
  tag: boolean;
  /** The frame writer's buffer (--high-water-mark, --low-water-mark). */
  highWaterMark: number | undefined;
  lowWaterMark: number | undefined;
  agent: string | undefined;
  onInput: string | undefined;
  worktree: boolean | undefined;
  keepWorktrees: boolean | undefined;
  /** --resume-session */
  resumeSession?: boolean | undefined;
  results: string | undefined;
  /** --no-config */
  noConfig?: boolean | undefined;
  /** --resume-from FILE */
  resumeFrom: string | undefined;
  /** --notify COMMAND */
  notify: string | undefined;
}

/** Step 0: everything read and checked before anything is opened. */
async function readInputs(options: FanoutCliOptions) {
  // The writer starts after the workers: its bad water marks must be found before anything starts.
  FrameWriter.waterMarks({ highWaterMark: options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK, lowWaterMark: options.lowWaterMark });
  const tasks = await loadTasks(options.tasksFile, options.task, process.stdin);
  if (options.engine.shard && !tasks) throw usageError('--shard needs a task list (--tasks or --task)');
  const input = loadInput(options.input, options.inputFile);
  const resume = options.resumeFrom === undefined ? undefined : await (await import('./resume.js')).loadResume(options.resumeFrom, tasks, options.engine.shard);
  const plan = await planAgentFlags({ ...options, taskList: tasks !== undefined });
  return { tasks, input, resume, plan };
}

/** The agent side (events, --on-input, worktrees, results), loaded only for a run that uses it. */
async function openExtension(run: NonNullable<AgentPlan['run']>, runId: string, engine: EngineFlags): Promise<AgentExtension> {
  const [{ AgentExtension }, { loadScreens }] = await Promise.all([import('../agents/extension.js'), import('../replay/screen.js')]);
  return AgentExtension.open({ ...run, runId, cwd: process.cwd(), cols: engine.cols, rows: engine.rows, screens: loadScreens });
}

/**
 * Closes the agent side (manifest, worktrees). A failure (git, disk) must not cost the frames: it
 * is said, and a results folder that could not be written fails the run (74), as the frames'
 * destination would. Returns whether it did.
 */
async function closeExtension(extension: AgentExtension | undefined, result: RunResult): Promise<boolean> {
  let resultsFailed = false;
  await extension?.close({ ok: result.ok, exitCode: result.exitCode, reason: result.reason }).catch((err: Error) => {
    process.stderr.write(`relay: ${err.message}\n`);
    resultsFailed = (err as RelayError).code === 'OUTPUT_FAILED';
  });
  return resultsFailed;
}

export async function runFanout(options: FanoutCliOptions): Promise<number> {
  recordDebugStats();
  const { tasks, input, resume, plan } = await readInputs(options);
  const runId = randomUUID();
  const extension = plan.run ? await openExtension(plan.run, runId, options.engine) : undefined;
  const destination = openDestination(options.output, process.stdout);
  // Live redraws and frames on one terminal would garble each other: fall back to plain lines.
  const mode = destination.sharesTerminal && options.progress === 'auto' ? 'plain' : options.progress;
  const progress = await createProgress(mode, { stderr: process.stderr, failureLines: options.failureLines, tag: options.tag });
  const control = await openControl(runId);
  const command = plan.command ?? simCommand();
  // Loaded before the run starts: awaiting it later would let the run's first events pass unseen.
  const notify = options.notify === undefined ? undefined : { command: options.notify, watch: (await import('./notify.js')).watchNotify };
  let run: FanoutRun;
  try {
    run = fanout({ ...options.engine, runId, extension, command, workers: plan.workers, tasks, resume, idleTimeoutMs: plan.idleTimeoutMs, input });
  } catch (err) {
    // A bad option: nothing started, but the control socket would keep relay alive.
    await control?.close();
    throw err;
  }
  if (plan.notice) process.stderr.write(`relay: ${plan.notice}\n`);
  control?.serve(run, { cwd: process.cwd(), command, version: VERSION });
  if (destination.notice) process.stderr.write(`relay: ${destination.notice}\n`);
  progress.start(run);
  const stepSummary = watchStepSummary(run, process.env, process.stderr);
  const notifier = notify?.watch(run, notify.command, process.stderr);
  let forced: number | undefined;
  const releaseSignals = handleSignals(run, {
    onStop: (signal) => process.stderr.write(`relay: ${signal}: stopping workers (send it again to kill them now)\n`),
    onForce: (code) => (forced = code),
  });

  const piped = destination.stream
    ? run.pipeTo(destination.stream, {
        highWaterMark: options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK,
        lowWaterMark: options.lowWaterMark,
        endDestination: destination.isFile,
        name: destination.name,
        stopFlushMs: 1000,
      })
    : undefined;
  const result = await run.result;
  await control?.close();
  const resultsFailed = await closeExtension(extension, result);
  const outcome = await (forced !== undefined ? settleNow(run, piped) : piped);
  await progress.stop();
  await stepSummary?.finish();
  await notifier?.finish();
  releaseSignals();
  const code = forced ?? (resultsFailed ? EXIT.output_failed : (outcome?.exitCode ?? result.exitCode));
  // One line naming the destination and the cause (ENOSPC, EPIPE…): the summary only says the run stopped.
  if (outcome?.outputError) process.stderr.write(`relay: ${outcome.outputError.message}\n`);
  if (outcome && !outcome.flushed) {
    // The reader is stalled and we are stopping: its pipe would keep us alive forever.
    await extension?.abort().catch((err: Error) => process.stderr.write(`relay: ${err.message}\n`));
    process.exit(code);
  }
  return code;
}

/** After a second Ctrl-C nobody waits for a stalled reader: give the pipe no more time. */
async function settleNow(run: FanoutRun, piped: ReturnType<FanoutRun['pipeTo']> | undefined): Promise<Awaited<ReturnType<FanoutRun['pipeTo']>> | undefined> {
  if (!piped) return undefined;
  const result = await run.result;
  const giveUp = new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined)));
  return (await Promise.race([piped, giveUp])) ?? { result, outputError: undefined, flushed: false, exitCode: result.exitCode };
}

/** The run's control socket; a run goes on without one (saying why) when it cannot be had. */
async function openControl(runId: string): Promise<ControlServer | undefined> {
  try {
    return await ControlServer.open(runId);
  } catch (err) {
    process.stderr.write(`relay: no control socket (relay ls/attach/send will not see this run): ${(err as Error).message}\n`);
    return undefined;
  }
}
