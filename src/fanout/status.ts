import type { Frame, WorkerReason } from '../frames/types.js';

export type WorkerState = 'pending' | 'running' | 'stopping' | 'exited';

/** Live, read-only view of one worker, for progress renderers. Updated in place by the engine. */
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
}

/** What a progress renderer sees of a run: statuses to poll and frames as they are made. */
export interface RunView {
  readonly startedAt: number;
  readonly workers: readonly WorkerStatus[];
  /** True while the frame reader is behind and the workers' terminals are paused. */
  readonly paused: boolean;
  /**
   * Called synchronously for every frame as it is made, before (and regardless of whether)
   * the consumer takes it: a stalled reader never stalls progress. Returns an unsubscribe.
   */
  observe(listener: (frame: Frame) => void): () => void;
}
