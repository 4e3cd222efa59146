import type { AgentEventKind, AgentSeverity, AgentTokens } from '../../frames/agent.js';

/** One agent event in relay's vocabulary: an agent_event frame body without `type` and `worker`. */
export interface NormalisedEvent {
  kind: AgentEventKind;
  /** The agent's own event object, untouched (an array of them for a joined message). */
  raw: unknown;
  text?: string;
  tool?: string;
  tokens?: AgentTokens;
  cost_usd?: number;
  /** tokens and cost_usd are running totals: they replace earlier ones. */
  cumulative?: boolean;
  is_error?: boolean;
  severity?: AgentSeverity;
  /** ISO 8601 UTC. */
  resets_at?: string;
  session_id?: string;
  model?: string;
  /** The tool call that started the subagent this event comes from. */
  subagent?: string;
}

/** A JSON object from the agent's stream. */
export type JsonObject = Record<string, unknown>;

/**
 * Maps an agent's JSON events onto normalised events, statefully per attempt (tool results are
 * matched to their calls, streamed chunks joined): push() one object, end() when its output ends.
 */
export interface Normaliser {
  push(event: JsonObject): NormalisedEvent[];
  end(): NormalisedEvent[];
}

/**
 * The agent event formats relay understands; `none` parses nothing. `sim` is Claude's format as
 * relay's simulated agent speaks it: its AskUserQuestion waits on the terminal for an answer,
 * which Claude Code's print mode never does.
 */
export const EVENT_FORMATS = ['claude', 'codex', 'gemini', 'sim', 'none'] as const;
export type EventFormat = (typeof EVENT_FORMATS)[number];
