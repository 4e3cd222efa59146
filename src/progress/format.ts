import type { RunView, WorkerStatus } from '../fanout/status.js';
import type { FailedTaskInfo, RunFinished, SlowTaskInfo } from '../frames/types.js';
export { succeeded } from '../fanout/outcomes.js';
import { succeeded } from '../fanout/outcomes.js';

export { bytes, elapsed } from '../units.js';
import { bytes, elapsed } from '../units.js';
import { safeText } from '../sanitize.js';

/** How an attempt ended, in words: "exited 0", "exit 2", "killed by SIGKILL", "timed out", "cancelled", "could not start: …". */
export function outcome(w: Pick<WorkerStatus, 'reason' | 'error' | 'exitCode' | 'signal'>): string {
  if (w.reason === 'spawn_error') return `could not start: ${w.error ?? `exit ${w.exitCode}`}`;
  // relay stopped it (Ctrl-C, fail-fast, closed output): not the worker's failure, and the signal relay sent says nothing.
  if (w.reason === 'cancelled') return 'cancelled';
  if (w.reason === 'timeout') return 'timed out';
  if (w.reason === 'idle') return 'stopped: idle';
  if (w.reason === 'awaiting_input') return 'stopped: waiting for input';
  if (w.reason === 'budget') return 'stopped: budget reached';
  if (w.reason === 'agent_error') return w.error ? `agent failed: ${w.error}` : 'agent failed';
  if (w.signal) return `killed by ${w.signal}`;
  return w.exitCode === 0 ? 'exited 0' : `exit ${w.exitCode}`;
}

/** outcome() with "failed: " before a real failure: "exited 0", "cancelled", "failed: exit 2". */
export function verdict(w: Pick<WorkerStatus, 'reason' | 'error' | 'exitCode' | 'signal'>): string {
  return succeeded(w) || w.reason === 'cancelled' ? outcome(w) : `failed: ${outcome(w)}`;
}

export function workerElapsed(w: WorkerStatus, now: number): number {
  return (w.endedAt ?? now) - (w.startedAt ?? now);
}

/** "#3", "#3 fix-login", "#3 fix-login (attempt 2)": how a task is named to people. */
export function taskLabel(task: { number: number; id: string; attempt?: number }): string {
  const name = task.id === String(task.number) ? `#${task.number}` : `#${task.number} ${safeText(task.id)}`;
  return task.attempt !== undefined && task.attempt > 1 ? `${name} (attempt ${task.attempt})` : name;
}

/** "5 running, 3 done, 1 failed, 12 queued, 12.4 MB" */
export function counts(view: RunView): string {
  const t = view.tasks;
  const queued = view.taskList ? `, ${t.total - t.done - t.running} queued` : '';
  return `${t.running} running, ${t.done - t.failed} done, ${t.failed} failed${queued}, ${bytes(t.bytes)}`;
}

const LISTED = 10;

function list<T>(items: readonly T[], show: (item: T) => string): string {
  const more = items.length > LISTED ? `, … ${items.length - LISTED} more` : '';
  return items.slice(0, LISTED).map(show).join(', ') + more;
}

/** Without a task list, task n is worker wn: name it so. */
function label(task: number, id: string, taskList: boolean): string {
  return taskList ? taskLabel({ number: task, id }) : `w${task}`;
}

function failedText(f: FailedTaskInfo, taskList: boolean): string {
  const why = outcome({ reason: f.reason, error: null, exitCode: f.exit_code, signal: f.signal });
  return `${label(f.task, f.task_id, taskList)} (${why}${f.attempts > 1 ? `, ${f.attempts} attempts` : ''})`;
}

/** Why the run ended, as a sentence: "run completed in 4.1s", "run stopped after the first failure (1.2s)". */
function headline(f: RunFinished): string {
  const t = elapsed(f.duration_ms);
  const failures = f.failed_tasks.length;
  switch (f.reason) {
    case 'completed': return `run completed in ${t}`;
    case 'fail_fast': return `run stopped after ${failures > 1 ? `${failures} failures` : 'the first failure'} (${t})`;
    case 'output_closed': return `run stopped: the frame reader closed the pipe (${t})`;
    case 'output_failed': return `run stopped: its frames could not be written (${t})`;
    case 'interrupted': return `run interrupted by SIGINT (${t})`;
    case 'terminated': return `run stopped by SIGTERM (${t})`;
    case 'hangup': return `run stopped: its terminal went away (SIGHUP, ${t})`;
    case 'quit': return `run stopped by SIGQUIT (${t})`;
    case 'aborted': return `run aborted by its caller (${t})`;
    case 'budget': return `run stopped: its budget was reached (${t})`;
  }
}

/**
 * The end-of-run summary for stderr: tasks by outcome, the failed ones, those never started, the
 * slowest. Without a task list it speaks of workers (one task each).
 */
export function summary(f: RunFinished, taskList: boolean): string[] {
  const { total, ...rest } = f.counts;
  const noun = `${taskList ? 'task' : 'worker'}${total === 1 ? '' : 's'}`;
  const outcomes = Object.entries(rest).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k.replace('_', ' ')}`);
  const retried = f.attempts > total - f.counts.not_started ? `, ${f.attempts} attempts` : '';
  const lines = [`${headline(f)}: ${total} ${noun}${outcomes.length ? `: ${outcomes.join(', ')}` : ''}${retried}`];
  if (f.failed_tasks.length > 0) lines.push(`failed: ${list(f.failed_tasks, (t) => failedText(t, taskList))}`);
  if (f.not_started.length > 0) lines.push(`not started: ${list(f.not_started, (id) => (taskList ? id : `w${id}`))}`);
  if (f.agent) lines.push(agentText(f.agent));
  if (f.slowest.length > 1) lines.push(`slowest: ${list(f.slowest, (s: SlowTaskInfo) => `${label(s.task, s.task_id, taskList)} ${elapsed(s.duration_ms)}`)}`);
  return lines.map(safeText); // task ids come from the task list
}

/** Agent totals in one line: "agents: 2 results, 1 asked for input; tokens 86 in, 2073 out (58548 cached); $0.0572". */
function agentText(a: NonNullable<RunFinished['agent']>): string {
  const events = [`${a.events.result} result${a.events.result === 1 ? '' : 's'}`];
  if (a.events.error > 0) events.push(`${a.events.error} error${a.events.error === 1 ? '' : 's'}`);
  if (a.events.awaiting_input > 0) events.push(`${a.events.awaiting_input} asked for input`);
  if ((a.events.rate_limit ?? 0) > 0) events.push(`${a.events.rate_limit} rate limit${a.events.rate_limit === 1 ? '' : 's'}`);
  if (a.unrecognised) events.push(`${a.unrecognised} printed nothing relay recognised`);
  const t = a.tokens;
  const cached = t.cache_read + t.cache_write > 0 ? ` (${t.cache_read + t.cache_write} cached)` : '';
  return `agents: ${events.join(', ')}; tokens ${t.input} in, ${t.output} out${cached}; $${a.cost_usd.toFixed(4)}`;
}
