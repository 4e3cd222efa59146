import type { AttemptWatcher } from './types.js';

/**
 * --idle-timeout: an attempt that printed nothing for `ms` gets a worker_idle frame (and another
 * after each further quiet `ms`); with --kill-idle it is stopped instead, reason "idle". Agents
 * that wait for input they will never get are the common case. Time spent paused because the
 * frame reader is behind does not count: that silence is relay's, not the worker's. While someone has taken its keyboard (run.hold) nothing is reported. With an agent
 * run, the first report of a silence also goes to the attempt's agent (an inferred question).
 */
export function idle(ms: number, kill: boolean): AttemptWatcher {
  return ({ attempt: current, emit, now, timers, graceMs }) => {
    let timer: unknown;
    let reportedFor = -1; // lastOutputAt of the quiet period last reported
    let reports = 0;
    const arm = (delay: number): void => {
      timer = timers.set(check, Math.max(1, delay));
    };
    const check = (): void => {
      if (current.state !== 'running' || current.endedAt !== null) return; // endedAt: its output ended, worker_exited is being prepared
      if (current.paused || current.held) return arm(ms); // someone else has its keyboard: not idle
      const quiet = now() - current.lastOutputAt;
      // Due again after each further full quiet period of the same silence.
      const due = ms * (reportedFor === current.lastOutputAt ? reports + 1 : 1);
      if (quiet < due) return arm(due - quiet);
      if (reportedFor !== current.lastOutputAt) (reportedFor = current.lastOutputAt), (reports = 0);
      reports += 1;
      const { task, attempt } = current.job;
      emit({ type: 'worker_idle', worker: current.id, index: current.index, task: task.number, task_id: task.id, attempt, idle_ms: quiet });
      // An agent silent at a prompt is --on-input's (answer, fail, wait), once per silence; not --kill-idle's.
      const onInput = reports === 1 && current.idle();
      if (kill && !onInput) current.stop('idle', 'SIGTERM', graceMs);
      else arm(ms);
    };
    arm(ms);
    return () => timers.clear(timer);
  };
}
