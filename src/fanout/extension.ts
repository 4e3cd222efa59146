// The one generic hook of the engine: a RunExtension adds steps around every attempt and fields
// to run_finished. Agent-aware runs (src/agents/extension.ts) are one; the engine knows none.
import type { AgentTotals } from '../frames/agent.js';
import type { FrameBody } from '../frames/types.js';
import type { Attempt, AttemptExtension, AttemptSpec } from './attempt.js';
import type { Job } from './jobs.js';
import type { Usage } from './policies/budget.js';

export type { AttemptExtension, AttemptSpec, ExitExtras } from './attempt.js';
export type { Usage } from './policies/budget.js';

/** What an extension knows of one attempt when it is made. */
export interface AttemptExtensionContext {
  /** Slot number (the frames' `w<slot>`). */
  slot: number;
  job: Job;
  /** The attempt's own emit (line mode included), so extension frames keep its order. */
  emit(body: FrameBody): void;
  /** The attempt, once made (to type into it or stop it). */
  attempt(): Attempt;
  /** Time between SIGTERM and SIGKILL when the extension stops the attempt. */
  graceMs: number;
  /**
   * Reports what the attempt has spent so far (its running totals, not an increment), whenever
   * that changes: the run's budgets (--max-cost, --task-max-tokens…) are checked against it.
   */
  spent(usage: Usage): void;
  /** Its spec with the task's own cwd resolved inside `base` (a worktree); throws when the cwd leads outside it. */
  specAt(base: string): AttemptSpec;
}

export interface RunExtension {
  /** Called for every attempt before it starts. */
  attempt(ctx: AttemptExtensionContext): AttemptExtension;
  /** Extra run_finished fields, when the run ends. */
  finished?(): { agent?: AgentTotals };
}
