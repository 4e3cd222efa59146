import type { AgentEventKind, AgentTokens } from '../../frames/agent.js';

/** One agent event in relay's vocabulary: an agent_event frame body without `type` and `worker`. */
export interface NormalisedEvent {
  kind: AgentEventKind;
  /** The agent's own event object, untouched. */
  raw: unknown;
  text?: string;
  tool?: string;
  tokens?: AgentTokens;
  cost_usd?: number;
  is_error?: boolean;
}

/** A JSON object from the agent's stream. */
export type JsonObject = Record<string, unknown>;

/**
 * Maps one of an agent's JSON events onto zero or more normalised events (one Claude line may
 * hold text and tool calls). Stateful per worker: tool results are matched to their calls' names.
 */
export type Normaliser = (event: JsonObject) => NormalisedEvent[];

/** The agent event formats relay understands; `none` parses nothing. */
export const EVENT_FORMATS = ['claude', 'codex', 'gemini', 'none'] as const;
export type EventFormat = (typeof EVENT_FORMATS)[number];
