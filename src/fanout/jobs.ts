import type { Task } from '../tasks/task.js';

/** One attempt to be made: a task, which attempt it is, and the earliest time it may start. */
export interface Job {
  task: Task;
  /** 1-based. */
  attempt: number;
  /** ms since the epoch; retries wait out their back-off. */
  notBefore: number;
  /** Earlier attempts that ended on a rate limit: they do not count against --retries. */
  rateLimited?: number;
}

/**
 * The attempts waiting for a free worker slot, in task order, retries included. A retry waiting
 * for its back-off does not hold up the tasks behind it.
 */
export class JobQueue {
  private jobs: Job[];

  constructor(tasks: readonly Task[]) {
    this.jobs = tasks.map((task) => ({ task, attempt: 1, notBefore: 0 }));
  }

  get size(): number {
    return this.jobs.length;
  }

  /** Retries go first: a task already begun should finish before new ones start. */
  retry(job: Job): void {
    this.jobs.unshift(job);
  }

  /** The first job allowed to start at `now`, removed from the queue. */
  take(now: number): Job | undefined {
    const at = this.jobs.findIndex((j) => j.notBefore <= now);
    return at < 0 ? undefined : this.jobs.splice(at, 1)[0];
  }

  /** When the earliest waiting job may start (only meaningful when take() found none). */
  nextReadyAt(): number | undefined {
    return this.jobs.length === 0 ? undefined : Math.min(...this.jobs.map((j) => j.notBefore));
  }

  /** Empties the queue (the run is stopping) and returns what was left. */
  drain(): Job[] {
    const left = this.jobs;
    this.jobs = [];
    return left;
  }
}
