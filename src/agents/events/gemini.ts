// Gemini CLI's `gemini -p … --output-format stream-json`: init, message (user or assistant,
// possibly as deltas), tool_use, tool_result, error (warnings and errors), and a final result
// with the session's token stats. The result's text is the assistant's reply after its last
// tool call, joined from its message chunks.
import { compact, count, obj, str } from './json.js';
import type { JsonObject, NormalisedEvent, Normaliser } from './types.js';

export function geminiNormaliser(): Normaliser {
  const toolNames = new Map<string, string>();
  let reply = '';
  return (event) => {
    switch (event.type) {
      case 'message': {
        if (event.role !== 'assistant') return []; // the prompt, echoed
        const text = str(event, 'content') ?? '';
        reply += text;
        return [{ kind: 'message', raw: event, text }];
      }
      case 'tool_use': {
        const tool = str(event, 'tool_name') ?? 'unknown';
        const id = str(event, 'tool_id');
        if (id) toolNames.set(id, tool);
        reply = '';
        return [{ kind: 'tool_use', raw: event, tool }];
      }
      case 'tool_result':
        reply = '';
        return [toolResult(event, toolNames)];
      case 'error':
        return [compact({ kind: 'error', raw: event, text: str(event, 'message') })];
      case 'result':
        return [result(event, reply)];
      default:
        return []; // init
    }
  };
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

function result(raw: JsonObject, reply: string): NormalisedEvent {
  const stats = obj(raw, 'stats');
  const failed = raw.status === 'error';
  const tokens = count(stats, 'input_tokens') !== undefined
    ? compact({ input: count(stats, 'input_tokens') ?? 0, output: count(stats, 'output_tokens') ?? 0, cache_read: count(stats, 'cached') })
    : undefined;
  const text = failed ? str(obj(raw, 'error') ?? {}, 'message') : reply || undefined;
  return compact({ kind: 'result', raw, text, tokens, is_error: failed ? true : undefined });
}
