// The engine's timers, in one place: real ones by default, a fake clock in tests
// (FanoutOptions.timers, with FanoutOptions.now), so a run can be driven without waiting.

/** Start and cancel a one-shot timer. */
export interface Timers {
  set(fn: () => void, ms: number): unknown;
  /** Ignores `undefined` and handles of timers that already fired. */
  clear(handle: unknown): void;
}

export const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout | undefined),
};
