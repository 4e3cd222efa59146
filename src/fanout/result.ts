import type { Writable } from 'node:stream';
import type { PipeOptions, PipeOutcome } from './pipe.js';
import type { FailedTaskInfo, Frame, OutcomeCounts, RunEnd, SlowTaskInfo } from '../frames/types.js';
import type { TaskRecord } from './outcomes.js';
import type { RunView } from './status.js';

export interface RunResult {
  ok: boolean;
  /** What a CLI should exit with: 0 all ok, 1 any failed, 130/143/129/131 on SIGINT/SIGTERM/SIGHUP/SIGQUIT, 141 when the reader went away. */
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
}

export const STOP_EXIT_CODES: Record<Exclude<RunEnd, 'completed'>, number> = {
  interrupted: 130,
  terminated: 143,
  hangup: 129,
  quit: 131,
  output_closed: 141,
  aborted: 1,
  fail_fast: 1,
};

