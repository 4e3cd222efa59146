// What `relay ls` reports of a run: computed on request from the run's live view and what the
// control server saw go by (output times, idle and awaiting-input frames).
import { lastScreenLine, looksLikePrompt } from '../agents/on-input.js';
import type { FanoutRun } from '../fanout/run.js';
import type { WorkerStatus } from '../fanout/status.js';
import type { WorkerExited } from '../frames/types.js';
import type { RunInfo, SlotInfo, SlotState } from './protocol.js';
import type { WorkerScreen } from './screen.js';
import type { RunAbout } from './server.js';

/** Quiet this long (with no --idle-timeout to say so), a running worker is shown idle. */
const SHOWN_IDLE_MS = 10_000;

/** An attached client, as a slot knows it. */
export interface Watcher {
  readonly user: string;
  output(data: string): void;
  exited(frame: WorkerExited): void;
}

/** The control server's own record of one slot. */
export interface SlotWatch {
  screen: WorkerScreen;
  /** Attached clients watching it. */
  watchers: Set<Watcher>;
  /** The one among them who has its keyboard. */
  driver: Watcher | undefined;
  /** ts of its attempt's last output (or start). */
  lastOutputAt: number;
  /** Its agent reported waiting for input since it last printed. */
  asking: boolean;
  /** A worker_idle frame came since it last printed. */
  idle: boolean;
}

export function runInfo(run: FanoutRun, about: RunAbout, slots: readonly SlotWatch[]): RunInfo {
  const now = Date.now();
  const { total, done, failed, running } = run.tasks;
  return {
    run_id: run.runId,
    pid: process.pid,
    cwd: about.cwd,
    command: [...about.command],
    version: about.version,
    started_at: run.startedAt,
    workers: run.workers.length,
    tasks: { total, done, failed, running },
    cols: run.size.cols,
    rows: run.size.rows,
    slots: run.workers.map((w, i) => slotInfo(w, slots[i]!, now)),
  };
}

function slotInfo(w: WorkerStatus, watch: SlotWatch, now: number): SlotInfo {
  const running = w.state === 'running';
  return {
    worker: w.id,
    index: w.index,
    task: w.task?.number ?? null,
    task_id: w.task?.id ?? null,
    attempt: w.task?.attempt ?? null,
    state: running ? runningState(w, watch, now) : w.state,
    pid: w.pid,
    elapsed_ms: w.startedAt === null ? 0 : Math.max(0, (w.endedAt ?? now) - w.startedAt),
    quiet_ms: running ? Math.max(0, now - watch.lastOutputAt) : null,
    last_line: lastScreenLine(w.tail).trim(),
    watchers: watch.watchers.size,
    driver: watch.driver?.user ?? null,
  };
}

function runningState(w: WorkerStatus, watch: SlotWatch, now: number): SlotState {
  if (watch.asking) return 'waiting_input';
  const idle = watch.idle || now - watch.lastOutputAt >= SHOWN_IDLE_MS;
  if (!idle) return 'running';
  // Quiet at something that reads like a question: most likely waiting for an answer.
  return looksLikePrompt(w.tail) ? 'waiting_input' : 'idle';
}
