import type { RunView } from '../fanout/status.js';

export type ProgressMode = 'auto' | 'tty' | 'plain' | 'none';

/** A stderr renderer: start() observes a run, stop() draws the final state and lets go of the terminal. */
export interface Progress {
  start(view: RunView): void;
  stop(): Promise<void>;
}
