// Frame parts for agent-aware fanouts (issue 8): the agent_event frame, and the per-worker and
// per-run totals that worker_exited and run_finished carry. Kept apart from types.ts so that
// the protocol's core stays small; types.ts composes them. All additive within protocol v1.
import { Type, type Static } from '@sinclair/typebox';

export const AgentEventKind = Type.Union(
  [
    Type.Literal('message'),
    Type.Literal('tool_use'),
    Type.Literal('tool_result'),
    Type.Literal('awaiting_input'),
    Type.Literal('result'),
    Type.Literal('error'),
    Type.Literal('rate_limit'),
    Type.Literal('session'),
    Type.Literal('unknown'),
  ],
  { description: 'message: text from the agent; tool_use / tool_result: a tool call and its outcome; awaiting_input: it stopped with a question; result: its final outcome (usually with totals); error: it reported an error or warning (see severity); rate_limit: it reported a rate or usage limit (resets_at when it said when); session: its session or thread started (session_id, model); unknown: a JSON object relay does not recognise, passed through as raw.' },
);

export const AgentSeverity = Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('error')], {
  description: 'How bad an error or rate_limit event is: info (a notice, e.g. a rate limit still allowed), warning (a retry, reconnect or warning: the agent goes on), error (an error; the attempt fails unless the agent later reports a successful result).',
});

export const AgentTokens = Type.Object(
  {
    input: Type.Integer({ minimum: 0, description: 'Input tokens as the agent reports them (Claude excludes cached input; Codex and Gemini include it).' }),
    output: Type.Integer({ minimum: 0, description: 'Output tokens as the agent reports them (Codex includes reasoning).' }),
    cache_read: Type.Optional(Type.Integer({ minimum: 0, description: 'Input tokens read from the prompt cache.' })),
    cache_write: Type.Optional(Type.Integer({ minimum: 0, description: 'Input tokens written to the prompt cache (Claude, Codex).' })),
    reasoning: Type.Optional(Type.Integer({ minimum: 0, description: 'Reasoning (thinking) output tokens, where the agent reports them apart (Codex).' })),
  },
  { description: 'Token counts of one event: an amount of its own, or with cumulative the session\'s running total so far.' },
);

export const OnInputAction = Type.Union([Type.Literal('fail'), Type.Literal('answer'), Type.Literal('wait')], {
  description: 'What relay did about an awaiting_input event (--on-input).',
});

/** The body of an agent_event frame, after the common v/seq/ts/type fields. */
export const AgentEventProps = {
  worker: Type.String({ description: 'Which worker\'s agent reported it.' }),
  kind: AgentEventKind,
  raw: Type.Unknown({ description: 'The agent\'s own event object, as it printed it (an array of them for a message joined from streamed chunks; for inferred events: {screen_tail}).' }),
  text: Type.Optional(Type.String({ description: 'Message, result or error text, or the question asked.' })),
  tool: Type.Optional(Type.String({ description: 'Tool name (tool_use, tool_result).' })),
  tokens: Type.Optional(AgentTokens),
  cost_usd: Type.Optional(Type.Number({ minimum: 0, description: 'Cost as the agent reports it (Claude).' })),
  cumulative: Type.Optional(Type.Boolean({ description: 'tokens and cost_usd are the session\'s running totals so far, not this event\'s own amounts: they replace earlier ones instead of adding to them (Claude, Codex, Gemini results).' })),
  is_error: Type.Optional(Type.Boolean({ description: 'The agent marked this result or tool result as a failure.' })),
  severity: Type.Optional(AgentSeverity),
  resets_at: Type.Optional(Type.String({ description: 'rate_limit: when the limit resets, as the agent said it, as an ISO 8601 UTC date-time (e.g. "2026-10-06T07:30:00.000Z").' })),
  session_id: Type.Optional(Type.String({ description: 'session: the agent\'s session (Claude, Gemini) or thread (Codex) id, what its CLI resumes by.' })),
  model: Type.Optional(Type.String({ description: 'session: the model the agent runs.' })),
  subagent: Type.Optional(Type.String({ description: 'Set on events of a subagent: the id of the tool call that started it (Claude parent_tool_use_id). Counted apart from the top-level events.' })),
  inferred: Type.Optional(Type.Boolean({ description: 'awaiting_input guessed by relay (idle, screen ends in a prompt), not reported by the agent.' })),
  action: Type.Optional(OnInputAction),
};

// Optional for readers only (added within v1, absent from older files); relay always writes them.
const laterCount = (description: string) => Type.Optional(Type.Integer({ minimum: 0, description: `${description} Always written; absent from older v1 files.` }));

export const AgentEventCounts = Type.Object({
  message: Type.Integer({ minimum: 0 }),
  tool_use: Type.Integer({ minimum: 0 }),
  tool_result: Type.Integer({ minimum: 0 }),
  awaiting_input: Type.Integer({ minimum: 0 }),
  result: Type.Integer({ minimum: 0 }),
  error: Type.Integer({ minimum: 0, description: 'error events of any severity.' }),
  rate_limit: laterCount('rate_limit events.'),
  session: laterCount('session events.'),
  unknown: laterCount('unknown events.'),
  subagent: laterCount('Events of subagents, of any kind, not counted in the other keys.'),
}, { description: 'agent_event frames by kind; a subagent\'s events only under subagent.' });

export const AgentTotals = Type.Object(
  {
    events: AgentEventCounts,
    tokens: Type.Object({
      input: Type.Integer({ minimum: 0 }),
      output: Type.Integer({ minimum: 0 }),
      cache_read: Type.Integer({ minimum: 0 }),
      cache_write: Type.Integer({ minimum: 0 }),
      reasoning: laterCount('Reasoning output tokens (Codex).'),
    }),
    cost_usd: Type.Number({ minimum: 0 }),
    session_id: Type.Optional(Type.String({ description: 'worker_exited: the last session id the agent reported (see docs/agents.md, "Resuming").' })),
    model: Type.Optional(Type.String({ description: 'worker_exited: the last model the agent reported.' })),
    unrecognised: Type.Optional(Type.Integer({ minimum: 0, description: 'Attempts whose preset agent printed nothing relay recognised (only unknown events, or none): its event format may not match this CLI version. Present when not 0.' })),
  },
  { description: 'A worker\'s (or, in run_finished, every worker\'s) agent totals: events counted by kind; tokens and cost summed, where an event marked cumulative replaces the running total instead of adding to it.' },
);

export type AgentEventKind = Static<typeof AgentEventKind>;
export type AgentSeverity = Static<typeof AgentSeverity>;
export type AgentTokens = Static<typeof AgentTokens>;
export type AgentTotals = Static<typeof AgentTotals>;
export type OnInputAction = Static<typeof OnInputAction>;

export const WorktreeInfo = Type.Object(
  {
    path: Type.String({ description: 'The worktree the worker ran in.' }),
    branch: Type.String({ description: 'Its branch, relay/<run>/<task>.' }),
    base: Type.String({ description: 'The commit it was created from.' }),
    files_changed: Type.Integer({ minimum: 0 }),
    insertions: Type.Integer({ minimum: 0 }),
    deletions: Type.Integer({ minimum: 0 }),
    kept: Type.Boolean({ description: 'Left in place (--keep-worktrees); otherwise removed after the diff was taken.' }),
  },
  { description: 'The worker\'s git worktree (--worktree) and its diff stat against base, untracked files included.' },
);
export type WorktreeInfo = Static<typeof WorktreeInfo>;
