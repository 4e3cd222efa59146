// A run's outcome per worker, from its frames: what `relay summary` prints and what
// `relay fanout` appends to $GITHUB_STEP_SUMMARY. Fed one frame at a time, so it works on a
// live run (observe) and on a saved stream alike, including one cut off mid-run.
import type { Frame, RunFinished, RunStarted } from '../frames/types.js';
import { OutputTail } from '../lines/tail.js';

export interface WorkerSummary {
  worker: string;
  index: number;
  /** ok, failed (non-zero exit), or the worker_exited reason (signal, spawn_error, cancelled…); unfinished when it never exited. */
  outcome: string;
  exitCode: number | null;
  signal: string | null;
  /** null when it never exited and no later frame tells how long it ran. */
  durationMs: number | null;
  bytes: number;
  error: string | null;
  /** The last lines of its output; only for workers that did not end ok. */
  lastLines: string[];
}

export interface RunSummary {
  started: RunStarted | null;
  /** null when the stream ends before run_finished (cut off mid-run). */
  finished: RunFinished | null;
  workers: WorkerSummary[];
}

export interface SummaryOptions {
  /** Lines shown per worker that did not end ok. Default 10. */
  lastLines?: number;
}

interface Entry {
  summary: WorkerSummary;
  startedTs: number;
  tail: OutputTail;
}

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
        break;
      case 'run_finished':
        this.finished = frame;
        break;
      case 'worker_started':
        this.entry(frame.worker, frame.index, frame.ts);
        break;
      case 'worker_stream':
        this.entry(frame.worker).tail.add(frame.data);
        this.entry(frame.worker).summary.bytes += Buffer.byteLength(frame.data);
        break;
      case 'worker_line':
        this.entry(frame.worker).tail.addLine(frame.text);
        break;
      case 'worker_exited': {
        const s = this.entry(frame.worker, frame.index).summary;
        s.outcome = frame.reason === 'exit' ? (frame.exit_code === 0 ? 'ok' : 'failed') : frame.reason;
        Object.assign(s, { exitCode: frame.exit_code, signal: frame.signal, durationMs: frame.duration_ms, bytes: frame.bytes, error: frame.error ?? null });
        break;
      }
    }
  }

  summary(): RunSummary {
    const workers = [...this.entries.values()].map(({ summary, startedTs, tail }) => ({
      ...summary,
      durationMs: summary.durationMs ?? Math.max(0, this.lastTs - startedTs),
      lastLines: summary.outcome === 'ok' ? [] : tail.lastLines(this.lastLines),
    }));
    workers.sort((a, b) => a.index - b.index);
    return { started: this.started, finished: this.finished, workers };
  }

  private entry(worker: string, index?: number, ts?: number): Entry {
    let e = this.entries.get(worker);
    if (!e) {
      const fallbackIndex = Number(/^w(\d+)$/.exec(worker)?.[1] ?? this.entries.size + 1);
      e = {
        summary: { worker, index: index ?? fallbackIndex, outcome: 'unfinished', exitCode: null, signal: null, durationMs: null, bytes: 0, error: null, lastLines: [] },
        startedTs: ts ?? this.lastTs,
        tail: new OutputTail(),
      };
      this.entries.set(worker, e);
    }
    return e;
  }
}

/** The summary of a complete list of frames. */
export function summarizeFrames(frames: Iterable<Frame>, options?: SummaryOptions): RunSummary {
  const builder = new SummaryBuilder(options);
  for (const f of frames) builder.add(f);
  return builder.summary();
}
