export { createEventParser, agentEventBody, type AgentEventParser, type AgentEventSource } from './parser.js';
export { emptyTotals, addEvent, sumTotals, isEmpty, recognised } from './totals.js';
export { Verdict } from './verdict.js';
export { JsonLines, parseLine } from './lines.js';
export { EVENT_FORMATS, type EventFormat, type NormalisedEvent } from './types.js';
