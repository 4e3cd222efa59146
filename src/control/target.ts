import type { FanoutRun } from '../fanout/run.js';

/**
 * WORKER (`w3`, or `3`) or TASK (a running task's id) → its slot number, or why there is none.
 * A worker id wins over a task id that looks the same.
 */
export function resolveTarget(run: FanoutRun, target: string): number | string {
  const m = /^w?(\d+)$/.exec(target);
  const workers = run.workers;
  if (m && Number(m[1]) >= 1 && Number(m[1]) <= workers.length) {
    const w = workers[Number(m[1]) - 1]!;
    return w.state === 'running' ? w.index : `worker ${w.id} is not running (${w.state})`;
  }
  const running = workers.filter((w) => w.state === 'running' && w.task);
  const byTask = running.find((w) => w.task!.id === target);
  if (byTask) return byTask.index;
  const ids = running.map((w) => `${w.id} (task ${w.task!.id})`).join(', ');
  return `no worker or running task "${target}"; running: ${ids || 'none'}`;
}
