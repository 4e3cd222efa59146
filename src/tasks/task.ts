/** One unit of work: what a worker slot runs once (plus retries). */
export interface Task {
  /** 1-based position in the full task list, before sharding: stable across shards. */
  number: number;
  /** Unique in the list: a JSON line's "id", else the number as text. */
  id: string;
  /** The task text (`{}` and RELAY_TASK); null for the implicit tasks of a run without a task list. */
  text: string | null;
  /** Working directory for this task (relative to the run's). */
  cwd?: string;
  /** Extra environment for this task. */
  env?: Record<string, string>;
}

/** Without a task list, a run has one implicit task per worker slot, with no text. */
export function implicitTasks(count: number): Task[] {
  return Array.from({ length: count }, (_, i) => ({ number: i + 1, id: String(i + 1), text: null }));
}
