// Per-worker sums of agent events, for worker_exited; and their sum over workers, for
// run_finished. Tokens and cost are added up as reported, event by event.
import type { AgentEventKind, AgentTotals } from '../../frames/agent.js';
import type { NormalisedEvent } from './types.js';

export function emptyTotals(): AgentTotals {
  return {
    events: { message: 0, tool_use: 0, tool_result: 0, awaiting_input: 0, result: 0, error: 0 },
    tokens: { input: 0, output: 0, cache_read: 0, cache_write: 0 },
    cost_usd: 0,
  };
}

/** Adds one event into `totals` (in place) and returns it. */
export function addEvent(totals: AgentTotals, event: Pick<NormalisedEvent, 'kind' | 'tokens' | 'cost_usd'>): AgentTotals {
  totals.events[event.kind] += 1;
  const t = event.tokens;
  if (t) {
    totals.tokens.input += t.input;
    totals.tokens.output += t.output;
    totals.tokens.cache_read += t.cache_read ?? 0;
    totals.tokens.cache_write += t.cache_write ?? 0;
  }
  if (event.cost_usd) totals.cost_usd = addCost(totals.cost_usd, event.cost_usd);
  return totals;
}

/** Rounded to 1e-10 dollars: repeated float additions would otherwise show 0.30000000000000004. */
function addCost(a: number, b: number): number {
  return Math.round((a + b) * 1e10) / 1e10;
}

/** The sum of several workers' totals (run_finished). */
export function sumTotals(all: readonly AgentTotals[]): AgentTotals {
  const out = emptyTotals();
  for (const t of all) {
    for (const k of Object.keys(out.events) as AgentEventKind[]) out.events[k] += t.events[k];
    for (const k of Object.keys(out.tokens) as (keyof AgentTotals['tokens'])[]) out.tokens[k] += t.tokens[k];
    out.cost_usd = addCost(out.cost_usd, t.cost_usd);
  }
  return out;
}

/** True when nothing was counted: such totals are left out of frames. */
export function isEmpty(totals: AgentTotals): boolean {
  return Object.values(totals.events).every((n) => n === 0);
}
