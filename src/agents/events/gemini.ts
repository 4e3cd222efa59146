// Gemini CLI's `gemini -p … --output-format stream-json` (0.9 and later): init (session and
// model), message (the prompt echoed, then the reply, streamed as delta chunks), tool_use,
// tool_result, error (severity warning or error) and a final result with the session's stats.
// Chunks of one reply become one message event (raw: the chunks), so message counts compare
// across agents. The result's text is the last reply: the text after the last tool call, or,
// when the model calls tools after answering (Gemini 3), the reply before them. A failed result
// states its reason in a preceding error event; a result that says success after an error of
// severity error (the session turn limit) has failed too.
import { compact, count, obj, str, text as textOf } from './json.js';
import { isLimitText, limitEvent } from './limits.js';
import type { JsonObject, NormalisedEvent, Normaliser } from './types.js';

interface State {
  toolNames: Map<string, string>;
  /** Delta chunks of the reply being streamed. */
  chunks: JsonObject[];
  /** Reply text since the last tool event, and the last non-empty one before it. */
  current: string;
  answer: string;
  /** Text of the last error of severity error. */
  lastError: string | undefined;
}

export function geminiNormaliser(): Normaliser {
  const s: State = { toolNames: new Map(), chunks: [], current: '', answer: '', lastError: undefined };
  return {
    push: (event) => {
      const isChunk = event.type === 'message' && event.role === 'assistant' && event.delta === true;
      const out = isChunk ? [] : flush(s);
      return [...out, ...handle(event, s, isChunk)];
    },
    end: () => flush(s),
  };
}

function handle(event: JsonObject, s: State, isChunk: boolean): NormalisedEvent[] {
  switch (event.type) {
    case 'init':
      return [compact({ kind: 'session', raw: event, session_id: str(event, 'session_id'), model: str(event, 'model') })];
    case 'message':
      return message(event, s, isChunk);
    case 'tool_use': {
      toolBoundary(s);
      const tool = str(event, 'tool_name') ?? 'unknown';
      const id = str(event, 'tool_id');
      if (id) s.toolNames.set(id, tool);
      return [{ kind: 'tool_use', raw: event, tool }];
    }
    case 'tool_result':
      toolBoundary(s);
      return [toolResult(event, s.toolNames)];
    case 'error':
      return [error(event, s)];
    case 'result':
      return result(event, s);
    default:
      return [{ kind: 'unknown', raw: event }];
  }
}

function message(event: JsonObject, s: State, isChunk: boolean): NormalisedEvent[] {
  if (event.role !== 'assistant') return []; // the prompt, echoed
  const text = str(event, 'content') ?? '';
  s.current += text;
  if (isChunk) {
    s.chunks.push(event);
    return [];
  }
  return [{ kind: 'message', raw: event, text }];
}

/** The streamed chunks so far as one message event. */
function flush(s: State): NormalisedEvent[] {
  if (s.chunks.length === 0) return [];
  const chunks = s.chunks;
  s.chunks = [];
  return [{ kind: 'message', raw: chunks, text: chunks.map((c) => str(c, 'content') ?? '').join('') }];
}

function toolBoundary(s: State): void {
  if (s.current !== '') s.answer = s.current;
  s.current = '';
}

function toolResult(raw: JsonObject, toolNames: Map<string, string>): NormalisedEvent {
  const id = str(raw, 'tool_id');
  const failed = raw.status === 'error';
  return compact({
    kind: 'tool_result',
    raw,
    tool: (id && toolNames.get(id)) || undefined,
    text: failed ? str(obj(raw, 'error') ?? {}, 'message') : undefined,
    is_error: failed ? true : undefined,
  });
}

function error(raw: JsonObject, s: State): NormalisedEvent {
  const text = str(raw, 'message');
  const severity = raw.severity === 'error' ? 'error' : 'warning';
  if (severity === 'error') s.lastError = text ?? 'error';
  return isLimitText(text) ? limitEvent(raw, text, severity) : compact({ kind: 'error', raw, text, severity });
}

function result(raw: JsonObject, s: State): NormalisedEvent[] {
  const stats = obj(raw, 'stats');
  const failed = raw.status === 'error' || s.lastError !== undefined;
  const reason = textOf(obj(raw, 'error'), 'message') ?? s.lastError;
  const tokens = count(stats, 'input_tokens') !== undefined
    ? compact({ input: count(stats, 'input_tokens') ?? 0, output: count(stats, 'output_tokens') ?? 0, cache_read: count(stats, 'cached') })
    : undefined;
  const reply = s.current || s.answer || undefined;
  const event = compact({ kind: 'result' as const, raw, text: failed ? reason : reply, tokens, cumulative: tokens ? true : undefined, is_error: failed ? true : undefined });
  return failed && isLimitText(reason) ? [limitEvent(raw, reason, 'error'), event] : [event];
}
