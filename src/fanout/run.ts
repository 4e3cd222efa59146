import { randomUUID } from 'node:crypto';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { PROTOCOL_VERSION, type Frame, type FrameBody, type OutcomeCounts, type RunEnd } from '../frames/types.js';
import { spawnPty, type PtySpawner } from '../workers/pty.js';
import { fillTemplate } from '../workers/template.js';
import { withLines } from '../lines/line-mode.js';
import { resolveOptions, type FanoutOptions, type ResolvedOptions } from './options.js';
import { FrameQueue } from './queue.js';
import type { RunView, WorkerStatus } from './status.js';
import { Worker } from './worker.js';

export interface WorkerResult {
  id: string;
  index: number;
  exitCode: number | null;
  signal: string | null;
  reason: NonNullable<WorkerStatus['reason']>;
  durationMs: number;
  bytes: number;
}

export interface RunResult {
  ok: boolean;
  /** What a CLI should exit with: 0 all ok, 1 any failed, 130/143 on SIGINT/SIGTERM, 141 when the reader went away. */
  exitCode: number;
  reason: RunEnd;
  counts: OutcomeCounts;
  durationMs: number;
  workers: WorkerResult[];
}

/** A running fanout: iterate it for frames (that is what paces the workers), await `result` for the outcome. */
export interface FanoutRun extends AsyncIterable<Frame>, RunView {
  readonly runId: string;
  readonly result: Promise<RunResult>;
  /**
   * Stop gracefully: workers not started yet never start; running ones get `signal` (default
   * SIGTERM) on their whole process group, SIGKILL after the grace period. Idempotent.
   */
  stop(reason?: Exclude<RunEnd, 'completed'>, options?: { signal?: NodeJS.Signals; graceMs?: number }): void;
  /** Stop now: SIGKILL every worker's process group and stop waiting for their output. */
  kill(): void;
}

const STOP_EXIT_CODES: Record<Exclude<RunEnd, 'completed'>, number> = {
  interrupted: 130,
  terminated: 143,
  output_closed: 141,
  aborted: 1,
};

/** How long after SIGKILL a worker's last output may still take before we stop waiting for it. */
const DRAIN_AFTER_KILL_MS = 1000;

export type { FanoutOptions };

/**
 * Starts a fanout. Frames come out of the returned run in order; while nobody takes them (a
 * stalled reader), the workers' terminals are paused, so memory stays bounded. The run ends
 * after every worker has ended and `run_finished` was queued.
 */
export function fanout(options: FanoutOptions = {}): FanoutRun {
  return new Run(resolveOptions(options));
}

class Run implements FanoutRun {
  readonly runId: string;
  readonly startedAt: number;
  readonly result: Promise<RunResult>;
  private readonly queue: FrameQueue;
  private readonly workerList: Worker[];
  private readonly observers = new Set<(frame: Frame) => void>();
  private readonly spawn: PtySpawner;
  private seq = 0;
  /** Workers not yet ended (started or not). */
  private live: number;
  private nextToStart = 0;
  private stopReason: Exclude<RunEnd, 'completed'> | undefined;
  private timers: NodeJS.Timeout[] = [];
  private settle!: (result: RunResult) => void;
  paused = false;

  constructor(private readonly opts: ResolvedOptions) {
    this.runId = opts.runId ?? randomUUID();
    this.spawn = opts.spawn ?? spawnPty;
    this.startedAt = opts.now();
    this.queue = new FrameQueue(opts.highWaterMark, opts.lowWaterMark, (p) => this.setPaused(p));
    this.result = new Promise<RunResult>((resolve) => (this.settle = resolve));
    this.live = opts.workers;
    this.workerList = Array.from({ length: opts.workers }, (_, i) => this.makeWorker(i + 1));
    this.emit({
      type: 'run_started',
      run_id: this.runId,
      workers: opts.workers,
      command: [...opts.command],
      version: opts.version,
      cols: opts.cols,
      rows: opts.rows,
    });
    opts.signal?.addEventListener('abort', () => this.stop('aborted'), { once: true });
    void this.startAll();
  }

  get workers(): readonly WorkerStatus[] {
    return this.workerList;
  }

  [Symbol.asyncIterator](): AsyncIterator<Frame> {
    return this.queue[Symbol.asyncIterator]();
  }

  observe(listener: (frame: Frame) => void): () => void {
    this.observers.add(listener);
    return () => this.observers.delete(listener);
  }

  stop(reason: Exclude<RunEnd, 'completed'> = 'aborted', options: { signal?: NodeJS.Signals; graceMs?: number } = {}): void {
    if (this.stopReason || this.finished) return;
    this.stopReason = reason;
    for (const w of this.workerList) if (w.state === 'pending') w.cancelBeforeStart();
    for (const w of this.workerList) w.stop(options.signal ?? 'SIGTERM');
    const grace = options.graceMs ?? this.opts.graceMs;
    this.later(grace, () => {
      for (const w of this.workerList) w.stop('SIGKILL');
      this.later(DRAIN_AFTER_KILL_MS, () => this.forceCloseAll());
    });
  }

  kill(): void {
    if (!this.stopReason) this.stopReason = 'aborted';
    this.forceCloseAll();
  }

  private finished = false;

  private makeWorker(index: number): Worker {
    const { opts } = this;
    const id = `w${index}`;
    const env = { ...opts.env, RELAY_WORKER: id, RELAY_WORKER_INDEX: String(index) };
    const argv = fillTemplate(opts.command, { index });
    const spec = { index, argv, env, cwd: opts.cwd, cols: opts.cols, rows: opts.rows };
    const emit = (body: FrameBody): void => this.emit(body);
    return new Worker(spec, {
      emit: opts.lines ? withLines(emit, opts.lines) : emit,
      now: opts.now,
      ended: () => this.workerEnded(),
    });
  }

  /** Starts workers one per loop turn: spawning is synchronous (~10 ms each), the loop must breathe. */
  private async startAll(): Promise<void> {
    await yieldToLoop(); // let the caller subscribe (observe, iterate) before the first worker starts
    while (this.nextToStart < this.workerList.length) {
      const worker = this.workerList[this.nextToStart]!;
      this.nextToStart += 1;
      if (worker.state !== 'pending') continue; // cancelled by stop()
      worker.start(this.spawn);
      if (this.paused) worker.pause();
      await yieldToLoop();
    }
    this.maybeFinish();
  }

  private workerEnded(): void {
    this.live -= 1;
    this.maybeFinish();
  }

  private maybeFinish(): void {
    if (this.finished || this.live > 0) return;
    this.finished = true;
    for (const t of this.timers) clearTimeout(t);
    const result = this.buildResult();
    this.emit({
      type: 'run_finished',
      ok: result.ok,
      exit_code: result.exitCode,
      reason: result.reason,
      counts: result.counts,
      duration_ms: result.durationMs,
    });
    this.queue.close();
    this.settle(result);
  }

  private buildResult(): RunResult {
    const counts: OutcomeCounts = { total: 0, ok: 0, failed: 0, signal: 0, spawn_error: 0, cancelled: 0 };
    const workers = this.workerList.map((w): WorkerResult => {
      const reason = w.reason ?? 'cancelled';
      counts.total += 1;
      if (reason === 'exit') counts[w.exitCode === 0 ? 'ok' : 'failed'] += 1;
      else counts[reason] += 1;
      const durationMs = Math.max(0, (w.endedAt ?? 0) - (w.startedAt ?? w.endedAt ?? 0));
      return { id: w.id, index: w.index, exitCode: w.exitCode, signal: w.signal, reason, durationMs, bytes: w.bytes };
    });
    const ok = counts.ok === counts.total && !this.stopReason;
    const exitCode = this.stopReason ? STOP_EXIT_CODES[this.stopReason] : ok ? 0 : 1;
    const reason: RunEnd = this.stopReason ?? 'completed';
    return { ok, exitCode, reason, counts, durationMs: Math.max(0, this.opts.now() - this.startedAt), workers };
  }

  private emit(body: FrameBody): void {
    this.seq += 1;
    const frame = { v: PROTOCOL_VERSION, seq: this.seq, ts: this.opts.now(), ...body } as Frame;
    for (const observer of this.observers) observer(frame);
    this.queue.push(frame);
  }

  private setPaused(paused: boolean): void {
    this.paused = paused;
    for (const w of this.workerList) {
      if (paused) w.pause();
      else w.resume();
    }
  }

  private forceCloseAll(): void {
    for (const w of this.workerList) {
      if (w.state === 'pending') w.cancelBeforeStart();
      else w.forceClose();
    }
  }

  private later(ms: number, fn: () => void): void {
    // Not unref'd: paused terminals hold no active handle, and the run must not be abandoned.
    this.timers.push(setTimeout(fn, ms));
  }
}
