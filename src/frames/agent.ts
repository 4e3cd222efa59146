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
  ],
  { description: 'message: text from the agent; tool_use / tool_result: a tool call and its outcome; awaiting_input: it stopped with a question; result: its final outcome (usually with totals); error: it reported an error.' },
);

export const AgentTokens = Type.Object(
  {
    input: Type.Integer({ minimum: 0, description: 'Input tokens as the agent reports them (Claude excludes cached input; Codex and Gemini include it).' }),
    output: Type.Integer({ minimum: 0 }),
    cache_read: Type.Optional(Type.Integer({ minimum: 0, description: 'Input tokens read from the prompt cache.' })),
    cache_write: Type.Optional(Type.Integer({ minimum: 0, description: 'Input tokens written to the prompt cache (Claude).' })),
  },
  { description: 'Token counts of one event; a worker\'s totals are their sums.' },
);

export const OnInputAction = Type.Union([Type.Literal('fail'), Type.Literal('answer'), Type.Literal('wait')], {
  description: 'What relay did about an awaiting_input event (--on-input).',
});

/** The body of an agent_event frame, after the common v/seq/ts/type fields. */
export const AgentEventProps = {
  worker: Type.String({ description: 'Which worker\'s agent reported it.' }),
  kind: AgentEventKind,
  raw: Type.Unknown({ description: 'The agent\'s own event object, as it printed it (for inferred events: {screen_tail}).' }),
  text: Type.Optional(Type.String({ description: 'Message, result or error text, or the question asked.' })),
  tool: Type.Optional(Type.String({ description: 'Tool name (tool_use, tool_result).' })),
  tokens: Type.Optional(AgentTokens),
  cost_usd: Type.Optional(Type.Number({ minimum: 0, description: 'Cost as the agent reports it (Claude).' })),
  is_error: Type.Optional(Type.Boolean({ description: 'The agent marked this result or tool result as a failure.' })),
  inferred: Type.Optional(Type.Boolean({ description: 'awaiting_input guessed by relay (idle, screen ends in a prompt), not reported by the agent.' })),
  action: Type.Optional(OnInputAction),
};

export const AgentEventCounts = Type.Object({
  message: Type.Integer({ minimum: 0 }),
  tool_use: Type.Integer({ minimum: 0 }),
  tool_result: Type.Integer({ minimum: 0 }),
  awaiting_input: Type.Integer({ minimum: 0 }),
  result: Type.Integer({ minimum: 0 }),
  error: Type.Integer({ minimum: 0 }),
});

export const AgentTotals = Type.Object(
  {
    events: AgentEventCounts,
    tokens: Type.Object({
      input: Type.Integer({ minimum: 0 }),
      output: Type.Integer({ minimum: 0 }),
      cache_read: Type.Integer({ minimum: 0 }),
      cache_write: Type.Integer({ minimum: 0 }),
    }),
    cost_usd: Type.Number({ minimum: 0 }),
  },
  { description: 'Sums over a worker\'s (or, in run_finished, every worker\'s) agent_event frames.' },
);

export type AgentEventKind = Static<typeof AgentEventKind>;
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
