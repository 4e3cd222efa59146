import type { WorkerStatus } from '../fanout/status.js';

export function elapsed(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export function bytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}

/** How a worker ended, in words: "exited 0", "exit 2", "killed by SIGKILL", "could not start: …". */
export function outcome(w: WorkerStatus): string {
  if (w.reason === 'spawn_error') return `could not start: ${w.error ?? `exit ${w.exitCode}`}`;
  if (w.reason === 'cancelled') return w.signal ? `stopped (${w.signal})` : 'stopped';
  if (w.signal) return `killed by ${w.signal}`;
  return w.exitCode === 0 ? 'exited 0' : `exit ${w.exitCode}`;
}

export function succeeded(w: WorkerStatus): boolean {
  return w.reason === 'exit' && w.exitCode === 0;
}

export function workerElapsed(w: WorkerStatus, now: number): number {
  return (w.endedAt ?? now) - (w.startedAt ?? now);
}

/** "5 running, 3 done, 1 failed, 12.4 MB" */
export function counts(workers: readonly WorkerStatus[]): string {
  let running = 0;
  let done = 0;
  let failed = 0;
  let total = 0;
  for (const w of workers) {
    total += w.bytes;
    if (w.state !== 'exited') running += w.state === 'pending' ? 0 : 1;
    else if (succeeded(w)) done += 1;
    else failed += 1;
  }
  return `${running} running, ${done} done, ${failed} failed, ${bytes(total)}`;
}
