import type { AttemptWatcher } from './types.js';

/**
 * --timeout: an attempt still running after `ms` is stopped like a Ctrl-C would stop it (SIGTERM
 * to its process group, SIGKILL after the grace period); its worker_exited says "timeout".
 */
export function timeout(ms: number): AttemptWatcher {
  return ({ attempt, timers, graceMs }) => {
    const timer = timers.set(() => attempt.stop('timeout', 'SIGTERM', graceMs), ms);
    return () => timers.clear(timer);
  };
}
