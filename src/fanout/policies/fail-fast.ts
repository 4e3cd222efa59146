import type { TaskRecord } from '../outcomes.js';
import { succeeded } from '../outcomes.js';

/**
 * --fail-fast / --max-failures N: once N tasks have failed for good (after their retries), stop
 * the rest: running attempts are cancelled, tasks not started never start (run_finished lists
 * them). Returns what to call when a task has ended for good.
 */
export function failFast(maxFailures: number, stopRest: () => void): (record: TaskRecord) => void {
  let failures = 0;
  return (record) => {
    if (succeeded(record) || record.reason === 'cancelled') return;
    failures += 1;
    if (failures === maxFailures) stopRest();
  };
}
