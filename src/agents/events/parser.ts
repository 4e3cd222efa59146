import type { FrameBody, AgentEvent } from '../../frames/types.js';
import { claudeNormaliser } from './claude.js';
import { codexNormaliser } from './codex.js';
import { geminiNormaliser } from './gemini.js';
import { JsonLines } from './lines.js';
import type { EventFormat, NormalisedEvent, Normaliser } from './types.js';

const NORMALISERS: Record<Exclude<EventFormat, 'none'>, () => Normaliser> = {
  claude: () => claudeNormaliser(),
  codex: codexNormaliser,
  gemini: geminiNormaliser,
  sim: () => claudeNormaliser({ askWaits: true }),
};

/** Incremental parser of one worker's output: feed it text chunks as they come. */
export interface AgentEventParser {
  /** Events completed by this chunk, in order. */
  push(chunk: string): NormalisedEvent[];
  /** Events on a last line that had no newline, and any the agent's format held back. */
  end(): NormalisedEvent[];
}

export function createEventParser(format: EventFormat): AgentEventParser {
  if (format === 'none') return { push: () => [], end: () => [] };
  const lines = new JsonLines();
  const normaliser = NORMALISERS[format]();
  return {
    push: (chunk) => lines.push(chunk).flatMap((e) => normaliser.push(e)),
    end: () => [...lines.end().flatMap((e) => normaliser.push(e)), ...normaliser.end()],
  };
}

/** Which worker and task attempt an event came from: the fields every worker frame carries. */
export type AgentEventSource = Pick<AgentEvent, 'worker' | 'task' | 'task_id' | 'attempt'>;

/** The agent_event frame body for a worker's event. */
export function agentEventBody(source: AgentEventSource, event: NormalisedEvent): FrameBody<AgentEvent> {
  const { worker, task, task_id, attempt } = source;
  return { type: 'agent_event', worker, task, task_id, attempt, ...event };
}
