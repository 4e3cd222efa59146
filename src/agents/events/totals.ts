// Per-attempt totals of agent events, for worker_exited; and their sum over attempts, for
// run_finished. Events are counted by kind (a subagent's apart); tokens and cost are added up,
// except where an event carries the session's running totals (cumulative): those replace the
// totals so far, so an agent that restates them in every result is not counted twice.
import type { AgentTotals } from '../../frames/agent.js';
import type { NormalisedEvent } from './types.js';

type Counts = Required<AgentTotals['events']>;
type Tokens = Required<AgentTotals['tokens']>;

export function emptyTotals(): AgentTotals {
  const events: Counts = { message: 0, tool_use: 0, tool_result: 0, awaiting_input: 0, result: 0, error: 0, rate_limit: 0, session: 0, unknown: 0, subagent: 0 };
  const tokens: Tokens = { input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0 };
  return { events, tokens, cost_usd: 0 };
}

/** Adds one event into `totals` (in place) and returns it. */
export function addEvent(totals: AgentTotals, event: Pick<NormalisedEvent, 'kind' | 'tokens' | 'cost_usd' | 'cumulative' | 'subagent' | 'session_id' | 'model'>): AgentTotals {
  const events = totals.events as Counts;
  if (event.subagent !== undefined) {
    events.subagent += 1;
    return totals;
  }
  events[event.kind] += 1;
  if (event.session_id) totals.session_id = event.session_id;
  if (event.model) totals.model = event.model;
  const t = event.tokens;
  const merge = event.cumulative ? Math.max : (a: number, b: number) => a + b;
  if (t) {
    const tokens = totals.tokens as Tokens;
    tokens.input = merge(tokens.input, t.input);
    tokens.output = merge(tokens.output, t.output);
    tokens.cache_read = merge(tokens.cache_read, t.cache_read ?? 0);
    tokens.cache_write = merge(tokens.cache_write, t.cache_write ?? 0);
    tokens.reasoning = merge(tokens.reasoning, t.reasoning ?? 0);
  }
  if (event.cost_usd) totals.cost_usd = event.cumulative ? Math.max(totals.cost_usd, event.cost_usd) : addCost(totals.cost_usd, event.cost_usd);
  return totals;
}

/** Rounded to 1e-10 dollars: repeated float additions would otherwise show 0.30000000000000004. */
function addCost(a: number, b: number): number {
  return Math.round((a + b) * 1e10) / 1e10;
}

/** The sum of several attempts' totals (run_finished): no session, the unrecognised counted. */
export function sumTotals(all: readonly AgentTotals[]): AgentTotals {
  const out = emptyTotals();
  let unrecognised = 0;
  for (const t of all) {
    for (const k of Object.keys(out.events) as (keyof Counts)[]) (out.events as Counts)[k] += t.events[k] ?? 0;
    for (const k of Object.keys(out.tokens) as (keyof Tokens)[]) (out.tokens as Tokens)[k] += t.tokens[k] ?? 0;
    out.cost_usd = addCost(out.cost_usd, t.cost_usd);
    unrecognised += t.unrecognised ?? 0;
  }
  if (unrecognised > 0) out.unrecognised = unrecognised;
  return out;
}

/** True when nothing was counted and nothing is to be said: such totals are left out of frames. */
export function isEmpty(totals: AgentTotals): boolean {
  return Object.values(totals.events).every((n) => n === 0) && !totals.unrecognised;
}

/** Recognised events: any but unknown ones (a subagent's included). */
export function recognised(totals: AgentTotals): number {
  return Object.entries(totals.events).reduce((n, [k, v]) => (k === 'unknown' ? n : n + (v ?? 0)), 0);
}
