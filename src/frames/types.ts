// The frame protocol, version 1. These schemas are the single source of truth:
// the TypeScript types below are derived from them, and `relay schema` prints them.
// Within v1 only new optional fields and new frame types may be added; renaming or
// removing a field, or changing its meaning, needs v2 (docs/frames.md).
import { Type, type Static, type TSchema, type TProperties } from '@sinclair/typebox';
import { AgentEventProps, AgentTotals, WorktreeInfo } from './agent.js';
import { PROTOCOL_VERSION } from './version.js';

export { PROTOCOL_VERSION };

const WorkerId = Type.String({ description: 'Stable worker id, "w" followed by the 1-based index, e.g. "w3".' });
const Index = Type.Integer({ minimum: 1, description: '1-based worker number.' });

/** Why a worker ended. */
export const Reason = Type.Union(
  [
    Type.Literal('exit'),
    Type.Literal('signal'),
    Type.Literal('spawn_error'),
    Type.Literal('cancelled'),
    Type.Literal('timeout'),
    Type.Literal('idle'),
    Type.Literal('awaiting_input'),
    Type.Literal('agent_error'),
    Type.Literal('budget'),
  ],
  { description: 'exit: the command exited by itself; signal: it was killed by a signal it was not sent by relay; spawn_error: it could not be started (or its worktree could not be made); cancelled: relay stopped it (Ctrl-C, SIGTERM, closed output, fail-fast); timeout: relay stopped it after --timeout; idle: relay stopped it after --idle-timeout with --kill-idle; awaiting_input: relay stopped it because its agent waited for input (--on-input fail); agent_error: it ended by itself (whatever its exit code) but its agent reported that it failed (a failed result, or an error it did not recover from): the agent\'s own text is in error; budget: relay stopped it because its agent\'s totals reached --task-max-cost / --task-max-tokens, or the run\'s reached --max-cost / --max-tokens.' },
);

// Which task an attempt runs. On worker_started, worker_stream, worker_exited and worker_idle.
const TaskFields = {
  task: Type.Integer({ minimum: 1, description: '1-based position of the task in the full task list (before --shard), so shards stay comparable.' }),
  task_id: Type.String({ description: 'The task id: the "id" of a JSON task line, else the task number as text.' }),
  attempt: Type.Integer({ minimum: 1, description: '1 for the first run of a task, 2 for its first retry, …' }),
};

const TaskRef = Type.Object({ task: TaskFields.task, task_id: TaskFields.task_id });

/** Outcome counts in run_finished; every key is always present. */
export const Counts = Type.Object({
  total: Type.Integer({ minimum: 0 }),
  ok: Type.Integer({ minimum: 0, description: 'exited 0' }),
  failed: Type.Integer({ minimum: 0, description: 'exited non-zero' }),
  signal: Type.Integer({ minimum: 0, description: 'killed by a signal relay did not send' }),
  spawn_error: Type.Integer({ minimum: 0, description: 'could not be started (127 not found, 126 not executable)' }),
  cancelled: Type.Integer({ minimum: 0, description: 'stopped by relay before it finished (Ctrl-C, fail-fast…)' }),
  timeout: Type.Integer({ minimum: 0, description: 'stopped after --timeout' }),
  idle: Type.Integer({ minimum: 0, description: 'stopped after --idle-timeout with --kill-idle' }),
  // Optional for readers only: added within v1, so frame files of older relays lack it; relay always writes it.
  awaiting_input: Type.Optional(Type.Integer({ minimum: 0, description: 'stopped because its agent waited for input (--on-input fail); always written, absent from older v1 files' })),
  agent_error: Type.Optional(Type.Integer({ minimum: 0, description: 'ended, but its agent reported a failure; always written, absent from older v1 files' })),
  budget: Type.Optional(Type.Integer({ minimum: 0, description: 'stopped because a budget was reached (--max-cost, --max-tokens, --task-max-cost, --task-max-tokens); present when not 0' })),
  not_started: Type.Integer({ minimum: 0, description: 'never started: the run was stopped first' }),
  skipped: Type.Optional(Type.Integer({ minimum: 0, description: 'not run again: it had succeeded in the run resumed from (--resume-from); present on resumed runs' })),
}, { description: 'Tasks by final outcome (the last attempt\'s, after retries); every key is always present and total is the sum of the others.' });

/** A task that failed, in run_finished. */
export const FailedTask = Type.Object({
  ...TaskRef.properties,
  reason: Reason,
  exit_code: Type.Union([Type.Integer(), Type.Null()]),
  signal: Type.Union([Type.String(), Type.Null()]),
  attempts: Type.Integer({ minimum: 1 }),
});

/** One of the slowest tasks, in run_finished. */
export const SlowTask = Type.Object({
  ...TaskRef.properties,
  duration_ms: Type.Integer({ minimum: 0, description: 'Its last attempt\'s duration.' }),
});

export const RunEndReason = Type.Union(
  [Type.Literal('completed'), Type.Literal('interrupted'), Type.Literal('terminated'), Type.Literal('hangup'), Type.Literal('quit'), Type.Literal('output_closed'), Type.Literal('output_failed'), Type.Literal('aborted'), Type.Literal('fail_fast'), Type.Literal('budget')],
  { description: 'completed: every task ran; interrupted: SIGINT; terminated: SIGTERM; hangup: SIGHUP (the terminal or ssh session went away); quit: SIGQUIT; output_closed: the frame reader went away; output_failed: frames could not be written (e.g. a full disk; never in a stream that was written, but in RunResult.reason); aborted: stopped through the library API; fail_fast: stopped by --fail-fast / --max-failures; budget: stopped because the agents\' totals reached --max-cost or --max-tokens.' },
);

function frame<T extends string, P extends TProperties>(type: T, description: string, props: P) {
  return Type.Object(
    {
      v: Type.Literal(PROTOCOL_VERSION),
      seq: Type.Integer({ minimum: 1, description: '1, 2, 3… across the run, no gaps.' }),
      ts: Type.Integer({ description: 'Milliseconds since the Unix epoch when the frame was made.' }),
      type: Type.Literal(type),
      ...props,
    },
    { $id: type, description },
  );
}

export const RunStartedFrame = frame('run_started', 'First frame of every run.', {
  run_id: Type.String(),
  workers: Type.Integer({ minimum: 1, description: 'Number of worker slots (the concurrency).' }),
  tasks: Type.Integer({ minimum: 0, description: 'Number of tasks this run will run (after --shard).' }),
  shard: Type.Optional(Type.Object({ k: Type.Integer({ minimum: 1 }), n: Type.Integer({ minimum: 1 }) }, { description: 'Present with --shard K/N.' })),
  command: Type.Array(Type.String(), { description: 'The command template as given, before placeholder substitution.' }),
  version: Type.String({ description: 'relay version.' }),
  cols: Type.Integer({ minimum: 1 }),
  rows: Type.Integer({ minimum: 1 }),
  task_digest: Type.Optional(Type.String({ description: 'sha256 (hex) of the full task list (ids and prompts in order, before --shard); present with a task list. --resume-from checks it.' })),
  resume: Type.Optional(Type.Object({
    from: Type.String({ description: 'run_id of the run resumed from.' }),
    skipped: Type.Array(Type.String(), { description: 'Ids of the tasks that had succeeded there and are not run again.' }),
  }, { description: 'Present with --resume-from.' })),
});

export const WorkerStartedFrame = frame('worker_started', 'A worker was started (or failed to start: then pid is null and worker_exited follows with reason spawn_error).', {
  worker: WorkerId,
  index: Index,
  pid: Type.Union([Type.Integer(), Type.Null()]),
  argv: Type.Array(Type.String()),
  ...TaskFields,
});

export const WorkerStreamFrame = frame('worker_stream', 'Output of a worker\'s terminal, as text: never a split UTF-8 character, invalid bytes replaced by U+FFFD, ANSI as sent.', {
  worker: WorkerId,
  data: Type.String(),
  ...TaskFields,
});

export const WorkerIdleFrame = frame('worker_idle', 'A worker printed nothing for --idle-timeout (again after each further quiet period); with --kill-idle it is then stopped.', {
  worker: WorkerId,
  index: Index,
  ...TaskFields,
  idle_ms: Type.Integer({ minimum: 0, description: 'How long it has been silent.' }),
});

export const WorkerExitedFrame = frame('worker_exited', 'A worker ended; every byte it wrote was delivered in worker_stream frames before this one.', {
  worker: WorkerId,
  index: Index,
  exit_code: Type.Union([Type.Integer(), Type.Null()], { description: 'null when killed by a signal; 127/126 when it could not be started.' }),
  signal: Type.Union([Type.String(), Type.Null()], { description: 'Signal name, e.g. "SIGKILL", or null.' }),
  reason: Reason,
  duration_ms: Type.Integer({ minimum: 0 }),
  bytes: Type.Integer({ minimum: 0, description: 'Bytes read from the worker\'s terminal.' }),
  error: Type.Optional(Type.String({ description: 'spawn_error: why it could not be started; agent_error: the agent\'s own error text; otherwise what relay could not finish for it (e.g. its worktree).' })),
  ...TaskFields,
  agent: Type.Optional(AgentTotals),
  worktree: Type.Optional(WorktreeInfo),
});

export const RunFinishedFrame = frame('run_finished', 'Last frame of every run that could still write.', {
  ok: Type.Boolean(),
  exit_code: Type.Integer({ description: 'The exit status relay itself ends with.' }),
  reason: RunEndReason,
  counts: Counts,
  attempts: Type.Integer({ minimum: 0, description: 'Attempts started, retries included.' }),
  failed_tasks: Type.Array(FailedTask, { description: 'Every task whose final attempt failed, in task order.' }),
  not_started: Type.Array(Type.String(), { description: 'Ids of the tasks never started (the run was stopped first), in task order.' }),
  slowest: Type.Array(SlowTask, { description: 'Up to 5 tasks that took longest, slowest first.' }),
  duration_ms: Type.Integer({ minimum: 0 }),
  agent: Type.Optional(AgentTotals),
});

export const WorkerLineFrame = frame('worker_line', 'Line mode (--lines): one line of a worker\'s output as its terminal line finally showed it: ANSI stripped, carriage-return redraws resolved, at most 4096 characters (longer lines are split). Emitted at each newline (text may then be empty), and for unfinished text after a quiet period or at exit (never empty then). All of a worker\'s lines come before its worker_exited.', {
  worker: WorkerId,
  text: Type.String(),
  ...TaskFields,
});

const { worker: agentWorker, ...agentEventRest } = AgentEventProps;
export const AgentEventFrame = frame('agent_event', 'A normalised event from a worker\'s agent (its own JSON event stream), after the worker_stream frame that completed it.', {
  worker: agentWorker,
  ...TaskFields,
  ...agentEventRest,
});

export const OperatorAction = Type.Union(
  [Type.Literal('attach'), Type.Literal('drive'), Type.Literal('input'), Type.Literal('release'), Type.Literal('detach'), Type.Literal('send')],
  { description: 'attach: someone started watching the worker (relay attach); drive: they took its keyboard (relay\'s --on-input and idle policies hold off); input: they typed while driving (bytes only, never the keys); release: they gave the keyboard back; detach: they stopped watching; send: relay send typed `text` into it.' },
);

// Added within v1: older readers that skip unknown frame types lose nothing they relied on.
export const OperatorFrame = frame('operator', 'A person stepped in on a worker through its run\'s control socket (relay attach, relay send). Only while an attempt runs, so it sits between that attempt\'s worker_started and worker_exited.', {
  worker: WorkerId,
  index: Index,
  ...TaskFields,
  action: OperatorAction,
  user: Type.String({ description: 'Login name of the local user who did it (only the run\'s own user can reach its socket).' }),
  bytes: Type.Optional(Type.Integer({ minimum: 0, description: 'input and send: bytes typed into the worker\'s terminal.' })),
  text: Type.Optional(Type.String({ description: 'send: what was typed, Enter included ("\\r").' })),
});

// Added within v1, like operator.
export const RunPausedFrame = frame('run_paused', 'An attempt ended on a rate or usage limit (its agent said so): relay runs it again without spending --retries, starts nothing before `until`, and lowers the concurrency. A further limit while paused extends the pause (another run_paused).', {
  reason: Type.Literal('rate_limit'),
  until: Type.Integer({ description: 'Milliseconds since the Unix epoch: no attempt starts before then (the reset time the agent gave, else an exponential back-off).' }),
  concurrency: Type.Integer({ minimum: 1, description: 'How many attempts may run at once from now on (halved, at least 1; raised by one after each attempt that succeeds, up to the worker slots).' }),
  ...TaskFields,
  resets_at: Type.Optional(Type.String({ description: 'The reset time as the agent said it (ISO 8601), when it did.' })),
});

export const RunResumedFrame = frame('run_resumed', 'The pause of the last run_paused is over: attempts start again.', {
  concurrency: Type.Integer({ minimum: 1, description: 'How many attempts may run at once now.' }),
});

export const FrameSchemas = [RunStartedFrame, WorkerStartedFrame, WorkerStreamFrame, WorkerLineFrame, AgentEventFrame, WorkerIdleFrame, WorkerExitedFrame, RunFinishedFrame, OperatorFrame, RunPausedFrame, RunResumedFrame] as const;
export const AnyFrame = Type.Union([...FrameSchemas]);

export type RunStarted = Static<typeof RunStartedFrame>;
export type WorkerStarted = Static<typeof WorkerStartedFrame>;
export type WorkerStream = Static<typeof WorkerStreamFrame>;
export type WorkerIdle = Static<typeof WorkerIdleFrame>;
export type WorkerExited = Static<typeof WorkerExitedFrame>;
export type RunFinished = Static<typeof RunFinishedFrame>;
export type WorkerLine = Static<typeof WorkerLineFrame>;
export type AgentEvent = Static<typeof AgentEventFrame>;
export type Operator = Static<typeof OperatorFrame>;
export type RunPaused = Static<typeof RunPausedFrame>;
export type RunResumed = Static<typeof RunResumedFrame>;
export type OperatorActionName = Static<typeof OperatorAction>;
export type Frame = Static<typeof AnyFrame>;
export type FrameType = Frame['type'];
export type WorkerReason = Static<typeof Reason>;
export type OutcomeCounts = Static<typeof Counts>;
export type RunEnd = Static<typeof RunEndReason>;
export type FailedTaskInfo = Static<typeof FailedTask>;
export type SlowTaskInfo = Static<typeof SlowTask>;

/** A frame before the stream stamps it with v, seq and ts. */
export type FrameBody<F extends Frame = Frame> = F extends Frame ? Omit<F, 'v' | 'seq' | 'ts'> : never;

export type { TSchema };
