import type { FrameBody } from '../../frames/types.js';
import type { Attempt } from '../attempt.js';
import type { Timers } from '../../timers.js';

/** What a per-attempt behaviour may use: the attempt, the frame stream and the clock. */
export interface AttemptContext {
  attempt: Attempt;
  emit(body: FrameBody): void;
  now(): number;
  timers: Timers;
  /** Time between SIGTERM and SIGKILL when a behaviour stops the attempt. */
  graceMs: number;
}

/** Watches one attempt from its start; returns its clean-up, called when the attempt ends. */
export type AttemptWatcher = (ctx: AttemptContext) => () => void;
