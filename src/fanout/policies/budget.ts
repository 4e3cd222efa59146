import type { Attempt } from '../attempt.js';

/** What an attempt has spent so far, as its extension (its agent) counts it. */
export interface Usage {
  costUsd: number;
  tokens: number;
}

export interface BudgetLimits {
  maxCostUsd?: number | undefined;
  maxTokens?: number | undefined;
  taskMaxCostUsd?: number | undefined;
  taskMaxTokens?: number | undefined;
}

/** Which budget an attempt's spending reached: its own (stop it) or the run's (stop everything). */
export type BudgetReached = 'task' | 'run' | undefined;

const reached = (spent: number, limit: number | undefined): boolean => limit !== undefined && spent >= limit;

/**
 * --max-cost / --max-tokens (the whole run: every attempt, retries included) and --task-max-cost
 * / --task-max-tokens (one attempt), from the running totals each attempt's extension reports.
 * Reaching a limit counts: the run's budget is spent once its total is there, so nothing more starts.
 */
export class Budget {
  private endedCost = 0;
  private endedTokens = 0;
  private readonly running = new Map<Attempt, Usage>();

  constructor(private readonly limits: BudgetLimits) {}

  get active(): boolean {
    const l = this.limits;
    return l.maxCostUsd !== undefined || l.maxTokens !== undefined || l.taskMaxCostUsd !== undefined || l.taskMaxTokens !== undefined;
  }

  /** An attempt's running totals changed. */
  spent(attempt: Attempt, usage: Usage): BudgetReached {
    this.running.set(attempt, usage);
    const l = this.limits;
    if (reached(usage.costUsd, l.taskMaxCostUsd) || reached(usage.tokens, l.taskMaxTokens)) return 'task';
    return this.runReached() ? 'run' : undefined;
  }

  /** Its totals are final. */
  ended(attempt: Attempt): void {
    const usage = this.running.get(attempt);
    if (!usage) return;
    this.running.delete(attempt);
    this.endedCost += usage.costUsd;
    this.endedTokens += usage.tokens;
  }

  /** The whole run's totals reached --max-cost or --max-tokens. */
  runReached(): boolean {
    let cost = this.endedCost;
    let tokens = this.endedTokens;
    for (const u of this.running.values()) (cost += u.costUsd), (tokens += u.tokens);
    return reached(cost, this.limits.maxCostUsd) || reached(tokens, this.limits.maxTokens);
  }
}
