import type { Attempt } from '../attempt.js';

/** Back-off never grows past this (unless the base itself is longer). */
const MAX_DELAY_MS = 60_000;

/**
 * --retries: after a failed attempt (non-zero exit, a signal, a timeout, idle, awaiting input), whether to run the
 * task again, and after how long: `baseMs`, doubling per further attempt. Not retried: success,
 * relay's own cancellations, a budget reached (another attempt would spend more), and commands that could not start (127/126 will not fix themselves).
 */
export function retry(retries: number, baseMs: number): (attempt: Attempt) => number | undefined {
  return (attempt) => {
    if (attempt.succeeded || attempt.reason === 'cancelled' || attempt.reason === 'budget' || attempt.reason === 'spawn_error') return undefined;
    // Attempts lost to rate limits are not the task's failures: they spend no retry.
    const failed = attempt.job.attempt - (attempt.job.rateLimited ?? 0);
    if (failed > retries) return undefined;
    return Math.min(baseMs * 2 ** (failed - 1), Math.max(baseMs, MAX_DELAY_MS));
  };
}
