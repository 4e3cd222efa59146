import type { Frame, WorkerReason } from '../frames/types.js';

/**
 * pending: nothing started on it yet; running / stopping: an attempt is under way; waiting:
 * between attempts (a retry's back-off); exited: it will run nothing more.
 */
export type WorkerState = 'pending' | 'running' | 'stopping' | 'waiting' | 'exited';

/** The task a worker slot runs (or last ran). */
export interface TaskStatus {
  readonly number: number;
  readonly id: string;
  readonly attempt: number;
}

/**
 * Live, read-only view of one worker slot, for progress renderers. Updated in place by the
 * engine; the per-attempt fields (pid, bytes, tail, exit…) describe its current or last attempt.
 */
export interface WorkerStatus {
  readonly id: string;
  readonly index: number;
  readonly argv: readonly string[];
  readonly state: WorkerState;
  readonly pid: number | null;
  /** ms since the epoch; null until started. */
  readonly startedAt: number | null;
  readonly endedAt: number | null;
  /** Bytes read from its terminal so far. */
  readonly bytes: number;
  /** The last ≤ 512 characters of its output, raw (ANSI and carriage returns as sent). */
  readonly tail: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly reason: WorkerReason | null;
  /** Set for workers that could not be started. */
  readonly error: string | null;
  /** The task of its current or last attempt; null before its first. */
  readonly task: TaskStatus | null;
  /** Attempts it has finished, and how many of them failed. */
  readonly attempts: number;
  readonly failures: number;
}

/** Tasks by progress, for renderers. */
export interface TaskProgress {
  readonly total: number;
  /** Ended for good (succeeded, or failed after its retries). */
  readonly done: number;
  readonly failed: number;
  /** Attempts under way. */
  readonly running: number;
  /** Bytes read from every terminal so far, all attempts. */
  readonly bytes: number;
}

/** What a progress renderer sees of a run: statuses to poll and frames as they are made. */
export interface RunView {
  readonly startedAt: number;
  readonly workers: readonly WorkerStatus[];
  readonly tasks: TaskProgress;
  /** False for a run without a task list (one implicit task per worker). */
  readonly taskList: boolean;
  /** True while the frame reader is behind and the workers' terminals are paused. */
  readonly paused: boolean;
  /**
   * Called synchronously for every frame as it is made, before (and regardless of whether)
   * the consumer takes it: a stalled reader never stalls progress. Returns an unsubscribe.
   */
  observe(listener: (frame: Frame) => void): () => void;
}
