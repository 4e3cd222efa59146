// Per-task bookkeeping and the run's summary (counts, failed, not started, slowest): pure, so
// `relay merge` can apply the same rules to shards.
import type { FailedTaskInfo, OutcomeCounts, SlowTaskInfo, WorkerReason } from '../frames/types.js';
import type { Task } from '../tasks/task.js';

/** Where a task stands; its outcome is its last attempt's. */
export interface TaskRecord {
  task: Task;
  attempts: number;
  reason: WorkerReason | null;
  exitCode: number | null;
  signal: string | null;
  /** Its last attempt's. */
  durationMs: number;
  /** Not run: it had succeeded in the run this one resumes. */
  skipped?: boolean;
}

export const SLOWEST = 5;

export function emptyCounts(): OutcomeCounts {
  return { total: 0, ok: 0, failed: 0, signal: 0, spawn_error: 0, cancelled: 0, timeout: 0, idle: 0, awaiting_input: 0, agent_error: 0, not_started: 0 };
}

/** A task that needs nothing more: it succeeded here, or in the run this one resumes. */
export function taskDone(r: TaskRecord): boolean {
  return r.skipped === true || succeeded(r);
}

/** Ended by itself with exit 0: the one definition of success for attempts, tasks and progress. */
export function succeeded(r: { reason: WorkerReason | null; exitCode: number | null }): boolean {
  return r.reason === 'exit' && r.exitCode === 0;
}

export function countOutcomes(records: readonly TaskRecord[]): OutcomeCounts {
  const counts = emptyCounts();
  for (const r of records) {
    counts.total += 1;
    if (r.skipped) counts.skipped = (counts.skipped ?? 0) + 1;
    else if (r.reason === null) counts.not_started += 1;
    else if (r.reason === 'exit') counts[r.exitCode === 0 ? 'ok' : 'failed'] += 1;
    else if (r.reason === 'awaiting_input') counts.awaiting_input = (counts.awaiting_input ?? 0) + 1;
    else if (r.reason === 'agent_error') counts.agent_error = (counts.agent_error ?? 0) + 1;
    else if (r.reason === 'budget') counts.budget = (counts.budget ?? 0) + 1;
    else counts[r.reason] += 1;
  }
  return counts;
}

/** Failed for good: started and did not succeed, relay's own cancellations excluded. */
export function failedTasks(records: readonly TaskRecord[]): FailedTaskInfo[] {
  return records
    .filter((r) => r.reason !== null && r.reason !== 'cancelled' && !succeeded(r))
    .map((r) => ({ task: r.task.number, task_id: r.task.id, reason: r.reason!, exit_code: r.exitCode, signal: r.signal, attempts: r.attempts }));
}

export function notStarted(records: readonly TaskRecord[]): string[] {
  return records.filter((r) => r.reason === null && !r.skipped).map((r) => r.task.id);
}

/** The `limit` slowest, slowest first; ties in task order. */
export function slowest(tasks: readonly SlowTaskInfo[], limit = SLOWEST): SlowTaskInfo[] {
  return [...tasks].sort((a, b) => b.duration_ms - a.duration_ms || a.task - b.task).slice(0, limit);
}

export function slowestOf(records: readonly TaskRecord[]): SlowTaskInfo[] {
  return slowest(records.filter((r) => r.reason !== null).map((r) => ({ task: r.task.number, task_id: r.task.id, duration_ms: r.durationMs })));
}

/** Everything run_finished reports about the tasks. */
export function tallyOutcomes(records: readonly TaskRecord[]): { counts: OutcomeCounts; failedTasks: FailedTaskInfo[]; notStarted: string[]; slowest: SlowTaskInfo[] } {
  return { counts: countOutcomes(records), failedTasks: failedTasks(records), notStarted: notStarted(records), slowest: slowestOf(records) };
}
