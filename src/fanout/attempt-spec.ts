import { realpathSync } from 'node:fs';
import { isAbsolute, resolve, sep } from 'node:path';
import { fillTemplate } from '../tasks/template.js';
import type { Job } from './jobs.js';
import type { ResolvedOptions } from './options.js';
import type { AttemptSpec } from './attempt.js';

/** `path` itself or anything below it. */
function within(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path; // not there (yet): the spawn reports it
  }
}

/**
 * A task's cwd inside `base` (its worktree): relative, and staying inside also through
 * symbolic links, or the attempt cannot start (a task list is other people's text).
 */
function confinedCwd(base: string, cwd: string): string {
  const full = resolve(base, cwd);
  if (isAbsolute(cwd) || !within(full, base) || !within(real(full), real(base))) {
    throw new Error(`cwd "${cwd}" leads outside the task's worktree`);
  }
  return full;
}

/**
 * What one attempt runs: the command with its placeholders filled, its environment and cwd.
 * `base` is the directory a task's own cwd is relative to: the run's, or the attempt's worktree
 * (`confine`: the cwd must stay inside it).
 */
export function attemptSpec(opts: ResolvedOptions, slot: number, job: Job, base = opts.cwd, confine = false): AttemptSpec {
  const { task } = job;
  const cwd = !task.cwd ? base : confine ? confinedCwd(base, task.cwd) : resolve(base, task.cwd);
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
