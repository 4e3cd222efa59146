// The frame protocol, version 1. These schemas are the single source of truth:
// the TypeScript types below are derived from them, and `relay schema` prints them.
// Within v1 only new optional fields and new frame types may be added; renaming or
// removing a field, or changing its meaning, needs v2 (docs/frames.md).
import { Type, type Static, type TSchema, type TProperties } from '@sinclair/typebox';
import { AgentEventProps, AgentTotals, WorktreeInfo } from './agent.js';

export const PROTOCOL_VERSION = 1 as const;

const WorkerId = Type.String({ description: 'Stable worker id, "w" followed by the 1-based index, e.g. "w3".' });
const Index = Type.Integer({ minimum: 1, description: '1-based worker number.' });

/** Why a worker ended. */
export const Reason = Type.Union(
  [
    Type.Literal('exit'),
    Type.Literal('signal'),
    Type.Literal('spawn_error'),
    Type.Literal('cancelled'),
  ],
  { description: 'exit: the command exited by itself; signal: it was killed by a signal it was not sent by relay; spawn_error: it could not be started; cancelled: relay stopped it (Ctrl-C, SIGTERM, closed output).' },
);

/** Outcome counts in run_finished; every key is always present. */
export const Counts = Type.Object({
  total: Type.Integer({ minimum: 0 }),
  ok: Type.Integer({ minimum: 0, description: 'exited 0' }),
  failed: Type.Integer({ minimum: 0, description: 'exited non-zero' }),
  signal: Type.Integer({ minimum: 0, description: 'killed by a signal relay did not send' }),
  spawn_error: Type.Integer({ minimum: 0, description: 'could not be started (127 not found, 126 not executable)' }),
  cancelled: Type.Integer({ minimum: 0, description: 'stopped by relay before it finished' }),
});

export const RunEndReason = Type.Union(
  [Type.Literal('completed'), Type.Literal('interrupted'), Type.Literal('terminated'), Type.Literal('output_closed'), Type.Literal('aborted')],
  { description: 'completed: every worker ended by itself; interrupted: SIGINT; terminated: SIGTERM; output_closed: the frame reader went away; aborted: stopped through the library API.' },
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
  workers: Type.Integer({ minimum: 1 }),
  command: Type.Array(Type.String(), { description: 'The command template as given, before {#} substitution.' }),
  version: Type.String({ description: 'relay version.' }),
  cols: Type.Integer({ minimum: 1 }),
  rows: Type.Integer({ minimum: 1 }),
});

export const WorkerStartedFrame = frame('worker_started', 'A worker was started (or failed to start: then pid is null and worker_exited follows with reason spawn_error).', {
  worker: WorkerId,
  index: Index,
  pid: Type.Union([Type.Integer(), Type.Null()]),
  argv: Type.Array(Type.String()),
});

export const WorkerStreamFrame = frame('worker_stream', 'Output of a worker\'s terminal, as text: never a split UTF-8 character, invalid bytes replaced by U+FFFD, ANSI as sent.', {
  worker: WorkerId,
  data: Type.String(),
});

export const WorkerExitedFrame = frame('worker_exited', 'A worker ended; every byte it wrote was delivered in worker_stream frames before this one.', {
  worker: WorkerId,
  index: Index,
  exit_code: Type.Union([Type.Integer(), Type.Null()], { description: 'null when killed by a signal; 127/126 when it could not be started.' }),
  signal: Type.Union([Type.String(), Type.Null()], { description: 'Signal name, e.g. "SIGKILL", or null.' }),
  reason: Reason,
  duration_ms: Type.Integer({ minimum: 0 }),
  bytes: Type.Integer({ minimum: 0, description: 'Bytes read from the worker\'s terminal.' }),
  error: Type.Optional(Type.String({ description: 'Why it could not be started (spawn_error only).' })),
  agent: Type.Optional(AgentTotals),
  worktree: Type.Optional(WorktreeInfo),
});

export const RunFinishedFrame = frame('run_finished', 'Last frame of every run that could still write.', {
  ok: Type.Boolean(),
  exit_code: Type.Integer({ description: 'The exit status relay itself ends with.' }),
  reason: RunEndReason,
  counts: Counts,
  duration_ms: Type.Integer({ minimum: 0 }),
  agent: Type.Optional(AgentTotals),
});

export const WorkerLineFrame = frame('worker_line', 'Line mode (--lines): one line of a worker\'s output as its terminal line finally showed it: ANSI stripped, carriage-return redraws resolved, at most 4096 characters (longer lines are split). Emitted at each newline (text may then be empty), and for unfinished text after a quiet period or at exit (never empty then). All of a worker\'s lines come before its worker_exited.', {
  worker: WorkerId,
  text: Type.String(),
});

export const AgentEventFrame = frame('agent_event', 'A normalised event from a worker\'s agent (its own JSON event stream), after the worker_stream frame that completed it.', AgentEventProps);

export const FrameSchemas = [RunStartedFrame, WorkerStartedFrame, WorkerStreamFrame, WorkerExitedFrame, RunFinishedFrame, WorkerLineFrame, AgentEventFrame] as const;
export const AnyFrame = Type.Union([...FrameSchemas]);

export type RunStarted = Static<typeof RunStartedFrame>;
export type WorkerStarted = Static<typeof WorkerStartedFrame>;
export type WorkerStream = Static<typeof WorkerStreamFrame>;
export type WorkerExited = Static<typeof WorkerExitedFrame>;
export type RunFinished = Static<typeof RunFinishedFrame>;
export type WorkerLine = Static<typeof WorkerLineFrame>;
export type AgentEvent = Static<typeof AgentEventFrame>;
export type Frame = Static<typeof AnyFrame>;
export type FrameType = Frame['type'];
export type WorkerReason = Static<typeof Reason>;
export type OutcomeCounts = Static<typeof Counts>;
export type RunEnd = Static<typeof RunEndReason>;

/** A frame before the stream stamps it with v, seq and ts. */
export type FrameBody<F extends Frame = Frame> = F extends Frame ? Omit<F, 'v' | 'seq' | 'ts'> : never;

export type { TSchema };
