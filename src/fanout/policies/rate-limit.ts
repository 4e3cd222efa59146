/** Back-off after a limit that came without a reset time: base, doubling per limit in a row, capped. */
const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * Rate limits are not failures: an attempt that ended on one (its extension says so) runs again
 * without spending --retries; no attempt starts before the limit resets (the time the agent gave,
 * else an exponential back-off), and the concurrency is halved (at least 1), then raised by one
 * after each attempt that succeeds. Also --stagger: launches at least `staggerMs` apart.
 */
export class Launches {
  /** How many attempts may run at once. */
  concurrency: number;
  /** No launch before this (ms since the epoch). */
  pausedUntil = 0;
  /** A pause was announced (run_paused) and not yet its end (run_resumed). */
  paused = false;
  private streak = 0;
  private lastLaunch = -Infinity;

  constructor(
    private readonly workers: number,
    private readonly backoffMs: number,
    private readonly staggerMs: number,
  ) {
    this.concurrency = workers;
  }

  /** When the next launch may happen. */
  nextLaunchAt(): number {
    return Math.max(this.pausedUntil, this.lastLaunch + this.staggerMs);
  }

  launched(now: number): void {
    this.lastLaunch = now;
  }

  /** An attempt ended on a limit: pause until its reset (or a back-off) and halve the concurrency. */
  limited(now: number, resetsAt: number | undefined): void {
    const backoff = Math.min(this.backoffMs * 2 ** this.streak, Math.max(this.backoffMs, MAX_BACKOFF_MS));
    this.streak += 1;
    this.pausedUntil = Math.max(this.pausedUntil, resetsAt !== undefined && resetsAt > now ? resetsAt : now + backoff);
    this.concurrency = Math.max(1, Math.floor(this.concurrency / 2));
    this.paused = true;
  }

  /** An attempt succeeded: one more may run at once again. */
  succeeded(): void {
    this.streak = 0;
    this.concurrency = Math.min(this.workers, this.concurrency + 1);
  }
}
