import type { WorkerReason } from '../frames/types.js';
import type { TaskStatus, WorkerState, WorkerStatus } from './status.js';
import type { Attempt } from './attempt.js';

/**
 * A worker slot (`w3`): runs attempts one after another. What progress renderers see; every
 * per-attempt field reads through to the current (or last) attempt.
 */
export class Slot implements WorkerStatus {
  readonly id: string;
  current: Attempt | undefined;
  attempts = 0;
  failures = 0;
  private retired = false;

  constructor(readonly index: number) {
    this.id = `w${index}`;
  }

  /** Free to take the next job. */
  get free(): boolean {
    return !this.retired && !this.current?.running;
  }

  get busy(): boolean {
    return this.current?.running ?? false;
  }

  /** It will run nothing more. */
  retire(): void {
    if (!this.busy) this.retired = true;
  }

  get state(): WorkerState {
    if (this.current?.running) return this.current.state;
    if (this.retired) return 'exited';
    return this.current ? 'waiting' : 'pending';
  }

  get task(): TaskStatus | null {
    const job = this.current?.job;
    return job ? { number: job.task.number, id: job.task.id, attempt: job.attempt } : null;
  }

  get argv(): readonly string[] { return this.current?.argv ?? []; }
  get pid(): number | null { return this.current?.pid ?? null; }
  get startedAt(): number | null { return this.current?.startedAt ?? null; }
  get endedAt(): number | null { return this.current?.endedAt ?? null; }
  get bytes(): number { return this.current?.bytes ?? 0; }
  get tail(): string { return this.current?.tail ?? ''; }
  get exitCode(): number | null { return this.current?.exitCode ?? null; }
  get signal(): string | null { return this.current?.signal ?? null; }
  get reason(): WorkerReason | null { return this.current?.reason ?? null; }
  get error(): string | null { return this.current?.error ?? null; }
}
