import { resolve } from 'node:path';
import { fillTemplate } from '../tasks/template.js';
import type { Job } from './jobs.js';
import type { ResolvedOptions } from './options.js';
import type { AttemptSpec } from './attempt.js';

/**
 * What one attempt runs: the command with its placeholders filled, its environment and cwd.
 * `base` is the directory a task's own cwd is relative to: the run's, or the attempt's worktree.
 */
export function attemptSpec(opts: ResolvedOptions, slot: number, job: Job, base = opts.cwd): AttemptSpec {
  const { task } = job;
  const cwd = task.cwd ? resolve(base, task.cwd) : base;
  const env: Record<string, string> = {
    ...opts.env,
    ...task.env,
    PWD: cwd,
    RELAY_WORKER: `w${slot}`,
    RELAY_WORKER_INDEX: String(slot),
    RELAY_TASK_ID: task.id,
    RELAY_ATTEMPT: String(job.attempt),
  };
  if (task.text !== null) env.RELAY_TASK = task.text;
  const argv = fillTemplate(opts.command, { number: task.number, id: task.id, text: task.text, slot });
  return { index: slot, job, argv, env, cwd, cols: opts.cols, rows: opts.rows };
}
