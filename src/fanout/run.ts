import { randomUUID } from 'node:crypto';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Frame, FrameBody, RunEnd } from '../frames/types.js';
import { PROTOCOL_VERSION } from '../frames/version.js';
import { spawnPty, type PtySpawner } from '../pty/pty.js';
import { attemptSpec } from './attempt-spec.js';
import { JobQueue, type Job } from './jobs.js';
import { withLines } from '../lines/line-mode.js';
import { withCoalescing } from './coalesce.js';
import { resolveOptions, type FanoutOptions, type ResolvedOptions } from './options.js';
import { succeeded, tallyOutcomes, type TaskRecord } from './outcomes.js';
import { composePolicies, type Policies } from './policies/index.js';
import { Budget, type Usage } from './policies/budget.js';
import { Launches } from './policies/rate-limit.js';
import { FrameQueue } from './queue.js';
import { STOP_EXIT_CODES, type FanoutRun, type OperatorEvent, type RunResult } from './result.js';
import { Slot } from './slot.js';
import { pipeRun, type PipeOptions, type PipeOutcome } from './pipe.js';
import type { Writable } from 'node:stream';
import type { TaskProgress, WorkerStatus } from './status.js';
import { Attempt } from './attempt.js';

export type { FanoutOptions, FanoutRun, RunResult };

/**
 * Starts a fanout: its tasks run on `workers` slots, one after another per slot. Frames come out
 * of the returned run in order; while nobody takes them (a stalled reader), the workers'
 * terminals are paused, so memory stays bounded. The run ends after every task has ended (or
 * was cancelled) and `run_finished` was queued.
 */
export function fanout(options: FanoutOptions): FanoutRun {
  return new Run(resolveOptions(options));
}

/** The scheduler core: slots take jobs; behaviours (src/fanout/policies) decide the rest. */
class Run implements FanoutRun {
  readonly runId: string;
  readonly startedAt: number;
  readonly result: Promise<RunResult>;
  readonly taskList: boolean;
  private readonly queue: FrameQueue;
  private readonly slots: Slot[];
  private readonly jobs: JobQueue;
  private readonly records: TaskRecord[];
  private readonly recordOf = new Map<Job['task'], TaskRecord>();
  /** Attempts whose task's end policies already heard of at their process's exit. */
  private readonly decidedAtExit = new WeakSet<Attempt>();
  private readonly policies: Policies;
  private readonly budget: Budget;
  private readonly launches: Launches;
  private readonly observers = new Set<(frame: Frame) => void>();
  private readonly spawn: PtySpawner;
  private seq = 0;
  private attempts = 0;
  private progress = { total: 0, done: 0, failed: 0 };
  /** Bytes of attempts that have ended. */
  private endedBytes = 0;
  private stopReason: Exclude<RunEnd, 'completed'> | undefined;
  private dispatching = false;
  private wakeTimer: unknown;
  private finished = false;
  private settle!: (result: RunResult) => void;
  paused = false;

  constructor(private readonly opts: ResolvedOptions) {
    this.runId = opts.runId ?? randomUUID();
    this.spawn = opts.spawn ?? spawnPty;
    this.startedAt = opts.now();
    this.taskList = opts.taskList;
    this.queue = new FrameQueue(opts.highWaterMark, opts.lowWaterMark, (p) => this.setPaused(p));
    this.result = new Promise<RunResult>((resolve) => (this.settle = resolve));
    this.slots = Array.from({ length: opts.workers }, (_, i) => new Slot(i + 1));
    const skipped = opts.resume?.succeeded ?? new Set<string>();
    this.jobs = new JobQueue(opts.tasks.filter((t) => !skipped.has(t.id)));
    this.records = opts.tasks.map((task) => ({ task, attempts: 0, reason: null, exitCode: null, signal: null, durationMs: 0, ...(skipped.has(task.id) ? { skipped: true } : {}) }));
    for (const r of this.records) this.recordOf.set(r.task, r);
    this.progress.total = opts.tasks.length - skipped.size;
    this.policies = composePolicies(opts, () => this.stop('fail_fast'));
    this.budget = new Budget(opts);
    this.launches = new Launches(opts.workers, opts.retryDelayMs > 0 ? opts.retryDelayMs : 1000, opts.staggerMs);
    this.emit({
      type: 'run_started',
      run_id: this.runId,
      workers: opts.workers,
      tasks: opts.tasks.length,
      ...(opts.shard ? { shard: { k: opts.shard.k, n: opts.shard.n } } : {}),
      command: [...opts.command],
      version: opts.version,
      cols: opts.cols,
      rows: opts.rows,
      ...(opts.taskDigest ? { task_digest: opts.taskDigest } : {}),
      ...(opts.resume ? { resume: { from: opts.resume.from, skipped: opts.tasks.filter((t) => skipped.has(t.id)).map((t) => t.id) } } : {}),
    });
    opts.signal?.addEventListener('abort', () => this.stop('aborted'), { once: true });
    void this.dispatch();
  }

  get size(): { cols: number; rows: number } {
    return { cols: this.opts.cols, rows: this.opts.rows };
  }

  get workers(): readonly WorkerStatus[] {
    return this.slots;
  }

  get tasks(): TaskProgress {
    const running = this.slots.filter((s) => s.busy);
    return { ...this.progress, running: running.length, bytes: running.reduce((n, s) => n + s.bytes, this.endedBytes) };
  }

  [Symbol.asyncIterator](): AsyncIterator<Frame> {
    return this.queue[Symbol.asyncIterator]();
  }

  pipeTo(dest: Writable, options?: PipeOptions): Promise<PipeOutcome> {
    return pipeRun(this, dest, options);
  }

  observe(listener: (frame: Frame) => void): () => void {
    this.observers.add(listener);
    return () => this.observers.delete(listener);
  }

  write(worker: number, data: string | Buffer): boolean {
    const attempt = this.runningOn(worker);
    attempt?.write(data);
    return attempt !== undefined;
  }

  hold(worker: number, held: boolean): boolean {
    const attempt = this.runningOn(worker);
    attempt?.hold(held);
    return attempt !== undefined;
  }

  resize(worker: number, cols: number, rows: number): boolean {
    const attempt = this.runningOn(worker);
    attempt?.resize(cols, rows);
    return attempt !== undefined;
  }

  record(worker: number, event: OperatorEvent): boolean {
    const attempt = this.runningOn(worker);
    if (!attempt || this.finished) return false;
    const { task, attempt: n } = attempt.job;
    this.emit({ type: 'operator', worker: attempt.id, index: attempt.index, task: task.number, task_id: task.id, attempt: n, ...event });
    return true;
  }

  /** The attempt on slot `worker` (1-based) while it can still take input: started, not yet exited. */
  private runningOn(worker: number): Attempt | undefined {
    const attempt = this.slots[worker - 1]?.current;
    return attempt && attempt.state === 'running' && attempt.pid !== null ? attempt : undefined;
  }

  stop(reason: Exclude<RunEnd, 'completed'> = 'aborted', options: { signal?: NodeJS.Signals; graceMs?: number } = {}): void {
    if (this.stopReason || this.finished) return;
    this.stopReason = reason;
    this.jobs.drain(); // never started: their records stay without a reason (not_started)
    this.opts.timers.clear(this.wakeTimer);
    // --fail-fast and budgets are no interrupt: their reader still wants every byte, however slow it is.
    const keepOutput = reason === 'fail_fast' || reason === 'budget';
    for (const s of this.slots) {
      s.current?.stop(reason === 'budget' ? 'budget' : 'cancelled', options.signal ?? 'SIGTERM', options.graceMs ?? this.opts.graceMs, keepOutput);
      s.retire();
    }
    this.maybeFinish();
  }

  kill(): void {
    if (!this.stopReason) this.stop('aborted');
    for (const s of this.slots) s.current?.forceClose();
  }

  /**
   * Starts jobs on free slots, one per loop turn: spawning is synchronous (~10 ms each) and the
   * loop must breathe. Re-entered whenever a slot frees up or a retry's back-off ends.
   */
  private async dispatch(): Promise<void> {
    if (this.dispatching) return;
    this.dispatching = true;
    await yieldToLoop(); // let the caller subscribe (observe, iterate) before the first worker starts
    for (;;) {
      const slot = this.stopReason ? undefined : this.freeSlot();
      const now = this.opts.now();
      // Paused after a rate limit, or spacing launches out (--stagger): a timer comes back.
      if (!slot || this.launches.nextLaunchAt() > now) break;
      const job = this.jobs.take(now);
      if (!job) break;
      if (this.launches.paused) {
        this.launches.paused = false;
        this.emit({ type: 'run_resumed', concurrency: this.launches.concurrency });
      }
      this.launches.launched(now);
      this.startAttempt(slot, job);
      await yieldToLoop();
    }
    this.dispatching = false;
    this.afterDispatch();
  }

  /**
   * Unused slots first, in order: every slot gets work, and without a task list task n runs on
   * slot n (wn), as runs always did.
   */
  private freeSlot(): Slot | undefined {
    // Fewer at once after a rate limit.
    if (this.slots.filter((s) => s.busy).length >= this.launches.concurrency) return undefined;
    return this.slots.find((s) => s.state === 'pending') ?? this.slots.find((s) => s.free);
  }

  /** Nothing more to start now: retire idle slots when no work is left, or wake up for a retry. */
  private afterDispatch(): void {
    if (this.jobs.size === 0) for (const s of this.slots) s.retire();
    const readyAt = this.jobs.nextReadyAt();
    if (readyAt !== undefined && !this.stopReason && this.freeSlot()) {
      const wakeAt = Math.max(readyAt, this.launches.nextLaunchAt());
      this.opts.timers.clear(this.wakeTimer);
      this.wakeTimer = this.opts.timers.set(() => void this.dispatch(), Math.max(0, wakeAt - this.opts.now()));
    }
    this.maybeFinish();
  }

  private startAttempt(slot: Slot, job: Job): void {
    const { opts } = this;
    let unwatch = (): void => {};
    const runEmit = (body: FrameBody): void => this.emit(body);
    // Output is coalesced first, so line mode sees the coalesced chunks.
    const emit = withCoalescing(opts.lines ? withLines(runEmit, opts.lines, opts.timers) : runEmit, { windowMs: opts.coalesceMs, behind: () => this.queue.isPressured, timers: opts.timers, now: opts.now });
    // With an extension (agent runs), the attempt is prepared first (its worktree) and finished last (totals, diff, results).
    const extension = opts.extension?.attempt({
      slot: slot.index,
      job,
      emit,
      attempt: () => attempt,
      graceMs: opts.graceMs,
      spent: (usage) => this.spent(attempt, usage),
      specAt: (base) => attemptSpec(opts, slot.index, job, base, true),
    });
    const attempt: Attempt = new Attempt(attemptSpec(opts, slot.index, job), {
      emit,
      now: opts.now,
      timers: opts.timers,
      ended: (a) => (unwatch(), this.attemptEnded(slot, a)),
      exited: (a) => this.attemptExited(a),
      ...(extension ? { extension } : {}),
    });
    slot.current = attempt;
    this.attempts += 1;
    this.recordOf.get(job.task)!.attempts = job.attempt;
    const started = (): void => {
      if (!attempt.running) return; // could not start: already ended (or ending)
      // Stopped while it was being prepared: it started anyway, so stop it now.
      if (this.stopReason) return attempt.stop('cancelled', 'SIGTERM', opts.graceMs);
      if (this.paused) attempt.pause();
      unwatch = this.policies.watch({ attempt, emit: runEmit, now: opts.now, timers: opts.timers, graceMs: opts.graceMs });
    };
    const starting = attempt.start(this.spawn);
    if (starting) void starting.then(started);
    else started();
  }

  /** An attempt's running totals changed: over its own budget it is stopped, over the run's everything is. */
  private spent(attempt: Attempt, usage: Usage): void {
    const reached = this.budget.spent(attempt, usage);
    if (reached === 'task') attempt.stop('budget', 'SIGTERM', this.opts.graceMs);
    else if (reached === 'run') this.stop('budget');
  }

  /**
   * Its process exited: a task that ended for good is reported to the policies now (--fail-fast
   * stops the rest at once), not when a stalled reader gets around to its last output.
   */
  private attemptExited(attempt: Attempt): void {
    // With an extension its verdict (agent_error, a rate limit) comes later, at its end.
    if (this.opts.extension || this.stopReason || this.policies.retryDelay(attempt) !== undefined) return;
    const record = this.recordOf.get(attempt.job.task)!;
    Object.assign(record, { reason: attempt.reason, exitCode: attempt.exitCode, signal: attempt.signal, durationMs: attempt.durationMs });
    this.decidedAtExit.add(attempt);
    this.policies.taskEnded(record);
  }

  private attemptEnded(slot: Slot, attempt: Attempt): void {
    const record = this.recordOf.get(attempt.job.task)!;
    Object.assign(record, { reason: attempt.reason, exitCode: attempt.exitCode, signal: attempt.signal, durationMs: attempt.durationMs });
    slot.attempts += 1;
    this.endedBytes += attempt.bytes;
    this.budget.ended(attempt);
    if (!attempt.succeeded) slot.failures += 1;
    if (attempt.succeeded) this.launches.succeeded();
    const delay = this.stopReason ? undefined : this.policies.retryDelay(attempt);
    if (attempt.rateLimit && !this.stopReason) {
      this.rateLimited(attempt, attempt.rateLimit.resetsAt);
    } else if (delay !== undefined) {
      this.jobs.retry({ task: attempt.job.task, attempt: attempt.job.attempt + 1, notBefore: this.opts.now() + delay });
    } else {
      this.progress.done += 1;
      if (!succeeded(record) && record.reason !== 'cancelled') this.progress.failed += 1;
      if (!this.decidedAtExit.has(attempt)) this.policies.taskEnded(record);
    }
    void this.dispatch();
  }

  /** It failed on a rate limit: run it again once the limit resets, fewer at once, and say so. */
  private rateLimited(attempt: Attempt, resetsAt: number | undefined): void {
    const { job } = attempt;
    this.launches.limited(this.opts.now(), resetsAt);
    const until = this.launches.pausedUntil;
    this.jobs.retry({ task: job.task, attempt: job.attempt + 1, notBefore: until, rateLimited: (job.rateLimited ?? 0) + 1 });
    this.emit({
      type: 'run_paused',
      reason: 'rate_limit',
      until,
      concurrency: this.launches.concurrency,
      task: job.task.number,
      task_id: job.task.id,
      attempt: job.attempt,
      ...(resetsAt !== undefined ? { resets_at: new Date(resetsAt).toISOString() } : {}),
    });
  }

  private maybeFinish(): void {
    if (this.finished || this.dispatching || this.slots.some((s) => s.busy)) return;
    if (!this.stopReason && this.jobs.size > 0) return;
    this.finished = true;
    this.opts.timers.clear(this.wakeTimer);
    const result = this.buildResult();
    this.emit({
      type: 'run_finished',
      ok: result.ok,
      exit_code: result.exitCode,
      reason: result.reason,
      counts: result.counts,
      attempts: result.attempts,
      failed_tasks: result.failedTasks,
      not_started: result.notStarted,
      slowest: result.slowest,
      duration_ms: result.durationMs,
      ...this.opts.extension?.finished?.(),
    });
    this.queue.close();
    this.settle(result);
  }

  private buildResult(): RunResult {
    const summary = tallyOutcomes(this.records);
    const ok = summary.counts.ok + (summary.counts.skipped ?? 0) === summary.counts.total && !this.stopReason;
    return {
      ok,
      exitCode: this.stopReason ? STOP_EXIT_CODES[this.stopReason] : ok ? 0 : 1,
      reason: this.stopReason ?? 'completed',
      ...summary,
      durationMs: Math.max(0, this.opts.now() - this.startedAt),
      attempts: this.attempts,
      tasks: this.records,
    };
  }

  private emit(body: FrameBody): void {
    this.seq += 1;
    const frame = { v: PROTOCOL_VERSION, seq: this.seq, ts: this.opts.now(), ...body } as Frame;
    for (const observer of this.observers) observer(frame);
    this.queue.push(frame);
  }

  private setPaused(paused: boolean): void {
    this.paused = paused;
    for (const s of this.slots) {
      if (paused) s.current?.pause();
      else s.current?.resume();
    }
  }
}
