// The behaviours around the scheduler core, composed in one place. The core asks three things:
//   watch(ctx)        when an attempt has started: per-attempt watchers, each with its clean-up;
//   retryDelay(w)     when an attempt ended: run the task again (after how long), or is it final?
//   taskEnded(r)      when a task ended for good (after any retries).
// Order matters only within watch(): input is typed first (before any watcher could stop the
// attempt), then the clocks start: timeout, then idle detection.
import type { ResolvedOptions } from '../options.js';
import type { TaskRecord } from '../outcomes.js';
import type { Attempt } from '../attempt.js';
import { failFast } from './fail-fast.js';
import { idle } from './idle.js';
import { input } from './input.js';
import { retry } from './retry.js';
import { timeout } from './timeout.js';
import type { AttemptContext, AttemptWatcher } from './types.js';

export interface Policies {
  watch(ctx: AttemptContext): () => void;
  retryDelay(attempt: Attempt): number | undefined;
  taskEnded(record: TaskRecord): void;
}

type PolicyOptions = Pick<ResolvedOptions, 'input' | 'inputEof' | 'timeoutMs' | 'idleTimeoutMs' | 'killIdle' | 'retries' | 'retryDelayMs' | 'maxFailures'>;

export function composePolicies(opts: PolicyOptions, stopRest: () => void): Policies {
  const watchers: AttemptWatcher[] = [];
  if ((opts.input !== undefined && opts.input.length > 0) || opts.inputEof) watchers.push(input(opts.input ?? '', opts.inputEof));
  if (opts.timeoutMs !== undefined) watchers.push(timeout(opts.timeoutMs));
  if (opts.idleTimeoutMs !== undefined) watchers.push(idle(opts.idleTimeoutMs, opts.killIdle));
  const retryDelay = retry(opts.retries, opts.retryDelayMs);
  const taskEnded = opts.maxFailures !== undefined ? failFast(opts.maxFailures, stopRest) : () => {};
  return {
    watch(ctx) {
      const cleanups = watchers.map((w) => w(ctx));
      return () => cleanups.forEach((c) => c());
    },
    retryDelay,
    taskEnded,
  };
}

export type { AttemptContext } from './types.js';
