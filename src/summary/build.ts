// A run's outcome per task (its last attempt's, after retries), from its frames: what `relay
// summary` prints and what `relay fanout` appends to $GITHUB_STEP_SUMMARY. Fed one frame at a
// time, so it works on a live run (observe) and on a saved stream alike, including one cut off
// mid-run. Without a task list every worker ran one implicit task, so the rows are the workers'.
import type { Frame, RunFinished, RunStarted } from '../frames/types.js';
import { OutputTail } from '../lines/tail.js';

export interface TaskSummary {
  /** The task's number in the full list, and its id. */
  task: number;
  id: string;
  /** The worker slot of its last attempt ("w3"); null for a task never started. */
  worker: string | null;
  /** Attempts started (retries included). */
  attempts: number;
  /** ok, failed (non-zero exit), the worker_exited reason (signal, spawn_error, cancelled…), unfinished (no exit recorded), not_started or skipped (succeeded in a run this one resumed). */
  outcome: string;
  exitCode: number | null;
  signal: string | null;
  /** Its last attempt's; null when it never exited and no later frame tells how long it ran. */
  durationMs: number | null;
  /** Output bytes of every attempt. */
  bytes: number;
  error: string | null;
  /** The last lines of its last attempt's output; only for tasks that did not end ok. */
  lastLines: string[];
}

export interface RunSummary {
  started: RunStarted | null;
  /** null when the stream ends before run_finished (cut off mid-run). */
  finished: RunFinished | null;
  /** In task order. */
  tasks: TaskSummary[];
}

export interface SummaryOptions {
  /** Lines shown per task that did not end ok. Default 10. */
  lastLines?: number;
}

interface Entry {
  summary: TaskSummary;
  startedTs: number;
  tail: OutputTail;
  /** Bytes of its ended attempts (their worker_exited's count), and of the one still running. */
  endedBytes: number;
  liveBytes: number;
}

type TaskFrame = { task: number; task_id: string; worker: string; ts: number };

export class SummaryBuilder {
  private started: RunStarted | null = null;
  private finished: RunFinished | null = null;
  private readonly entries = new Map<string, Entry>();
  private lastTs = 0;
  private readonly lastLines: number;

  constructor(options: SummaryOptions = {}) {
    this.lastLines = options.lastLines ?? 10;
  }

  add(frame: Frame): void {
    this.lastTs = Math.max(this.lastTs, frame.ts);
    switch (frame.type) {
      case 'run_started':
        this.started = frame;
        for (const id of frame.resume?.skipped ?? []) this.placeholder(id, 'skipped');
        break;
      case 'run_finished':
        this.finished = frame;
        for (const id of frame.not_started) this.placeholder(id, 'not_started');
        break;
      case 'worker_started': {
        // A new attempt: its output tail and outcome start afresh; bytes add up over attempts.
        const e = this.entry(frame);
        Object.assign(e.summary, { worker: frame.worker, attempts: e.summary.attempts + 1, outcome: 'unfinished', exitCode: null, signal: null, durationMs: null, error: null });
        e.startedTs = frame.ts;
        e.tail = new OutputTail();
        e.liveBytes = 0;
        break;
      }
      case 'worker_stream': {
        const e = this.entry(frame);
        e.tail.add(frame.data);
        e.liveBytes += Buffer.byteLength(frame.data);
        e.summary.bytes = e.endedBytes + e.liveBytes;
        break;
      }
      case 'worker_line':
        this.entry(frame).tail.addLine(frame.text);
        break;
      case 'worker_exited': {
        const e = this.entry(frame);
        const s = e.summary;
        // What the attempt read from its terminal, whether or not every frame of it is in this stream.
        e.endedBytes += frame.bytes;
        e.liveBytes = 0;
        s.bytes = e.endedBytes;
        s.attempts = Math.max(s.attempts, 1);
        s.outcome = frame.reason === 'exit' ? (frame.exit_code === 0 ? 'ok' : 'failed') : frame.reason;
        Object.assign(s, { worker: frame.worker, exitCode: frame.exit_code, signal: frame.signal, durationMs: frame.duration_ms, error: frame.error ?? null });
        break;
      }
    }
  }

  summary(): RunSummary {
    const tasks = [...this.entries.values()].map(({ summary, startedTs, tail }) => ({
      ...summary,
      durationMs: summary.durationMs ?? (summary.attempts > 0 ? Math.max(0, this.lastTs - startedTs) : null),
      lastLines: ['ok', 'not_started', 'skipped'].includes(summary.outcome) ? [] : tail.lastLines(this.lastLines),
    }));
    tasks.sort((a, b) => a.task - b.task);
    return { started: this.started, finished: this.finished, tasks };
  }

  private entry(frame: TaskFrame): Entry {
    let e = this.entries.get(frame.task_id);
    if (!e) {
      e = {
        summary: { task: frame.task, id: frame.task_id, worker: frame.worker, attempts: 0, outcome: 'unfinished', exitCode: null, signal: null, durationMs: null, bytes: 0, error: null, lastLines: [] },
        startedTs: frame.ts,
        tail: new OutputTail(),
        endedBytes: 0,
        liveBytes: 0,
      };
      this.entries.set(frame.task_id, e);
    }
    return e;
  }

  /** A task with no frames of its own (never started, or skipped): its number is unknown, so it sorts last. */
  private placeholder(id: string, outcome: 'not_started' | 'skipped'): void {
    if (this.entries.has(id)) return;
    const number = /^\d+$/.test(id) ? Number(id) : Number.MAX_SAFE_INTEGER;
    this.entries.set(id, {
      summary: { task: number, id, worker: null, attempts: 0, outcome, exitCode: null, signal: null, durationMs: null, bytes: 0, error: null, lastLines: [] },
      startedTs: 0,
      tail: new OutputTail(),
      endedBytes: 0,
      liveBytes: 0,
    });
  }
}

/** The summary of a complete list of frames. */
export function summarizeFrames(frames: Iterable<Frame>, options?: SummaryOptions): RunSummary {
  const builder = new SummaryBuilder(options);
  for (const f of frames) builder.add(f);
  return builder.summary();
}
