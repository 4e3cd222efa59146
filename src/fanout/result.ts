import type { Writable } from 'node:stream';
import type { PipeOptions, PipeOutcome } from './pipe.js';
import type { FailedTaskInfo, Frame, Operator, OutcomeCounts, RunEnd, SlowTaskInfo } from '../frames/types.js';
import type { TaskRecord } from './outcomes.js';
import type { RunView } from './status.js';

export interface RunResult {
  ok: boolean;
  /** What a CLI should exit with (src/exit-codes.ts): 0 all ok, 1 any failed, 130/143/129/131 on SIGINT/SIGTERM/SIGHUP/SIGQUIT, 141 when the reader went away. */
  exitCode: number;
  reason: RunEnd;
  /** Tasks by final outcome. */
  counts: OutcomeCounts;
  durationMs: number;
  /** Attempts started, retries included. */
  attempts: number;
  failedTasks: FailedTaskInfo[];
  /** Ids of tasks never started. */
  notStarted: string[];
  slowest: SlowTaskInfo[];
  /** Every task with its final outcome, in task order. */
  tasks: TaskRecord[];
}

/**
 * A running fanout: iterate it (or pipeTo() a stream) for frames, which is what paces the workers;
 * await `result` for the outcome. A run nobody iterates still ends: until an iterator comes, it
 * keeps only the newest frames (about highWaterMark bytes) and never pauses its workers.
 */
export interface FanoutRun extends AsyncIterable<Frame>, RunView {
  readonly runId: string;
  readonly result: Promise<RunResult>;
  /** The size every attempt's terminal starts with (--cols, --rows). */
  readonly size: { readonly cols: number; readonly rows: number };
  /**
   * Stop gracefully: tasks not started yet never start; running ones get `signal` (default
   * SIGTERM) on their whole process group, SIGKILL after the grace period. Idempotent.
   */
  stop(reason?: Exclude<RunEnd, 'completed'>, options?: { signal?: NodeJS.Signals; graceMs?: number }): void;
  /** Stop now: SIGKILL every worker's process group and stop waiting for their output. */
  kill(): void;
  /**
   * Writes every frame to `dest` as NDJSON through an awaited writer (a slow reader pauses the
   * workers; a closed or failing one stops the run) and resolves once the run has ended and its
   * frames are written, with the exit status a CLI should use. Iterate the run or pipe it, not both.
   */
  pipeTo(dest: Writable, options?: PipeOptions): Promise<PipeOutcome>;
  /**
   * Types into the terminal of slot `worker`'s running attempt, as if on its keyboard. False
   * when nothing runs on that slot. (What `relay attach` and `relay send` are built on.)
   */
  write(worker: number, data: string | Buffer): boolean;
  /**
   * Someone outside relay takes (true) or gives back (false) the keyboard of slot `worker`'s
   * running attempt: while held, the idle and on-input policies hold off for it. A later attempt
   * on the slot starts unheld. False when nothing runs there.
   */
  hold(worker: number, held: boolean): boolean;
  /** Resizes that attempt's terminal (its program gets SIGWINCH). False when nothing runs there. */
  resize(worker: number, cols: number, rows: number): boolean;
  /**
   * Adds an `operator` frame (a person stepped in) for that attempt, so the stream records it.
   * False when nothing runs there, or the run has finished.
   */
  record(worker: number, event: OperatorEvent): boolean;
}

/** What an `operator` frame says beyond the attempt it is about. */
export type OperatorEvent = Pick<Operator, 'action' | 'user' | 'bytes' | 'text'>;

// The one exit-code table is src/exit-codes.ts; re-exported here for the engine's run.
export { STOP_EXIT_CODES } from '../exit-codes.js';
