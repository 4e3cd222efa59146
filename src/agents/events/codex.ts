// Codex's `codex exec --json`: thread.started, turn.started, item.started / item.updated /
// item.completed (agent_message, reasoning, command_execution, file_change, mcp_tool_call,
// web_search, todo_list, error…), request_user_input, then turn.completed with the turn's
// usage or turn.failed. A turn's end is its result; its text is the turn's last agent message.
import { arr, compact, count, isObject, obj, str } from './json.js';
import type { JsonObject, NormalisedEvent, Normaliser } from './types.js';

export function codexNormaliser(): Normaliser {
  let lastMessage: string | undefined;
  return (event) => {
    switch (event.type) {
      case 'item.started':
        return started(event);
      case 'item.completed': {
        const out = completed(event);
        for (const e of out) if (e.kind === 'message') lastMessage = e.text;
        return out;
      }
      case 'turn.completed': {
        const text = lastMessage;
        lastMessage = undefined;
        return [compact({ kind: 'result', raw: event, text, tokens: tokens(obj(event, 'usage')) })];
      }
      case 'turn.failed':
        return [{ kind: 'result', raw: event, text: str(obj(event, 'error') ?? {}, 'message') ?? 'turn failed', is_error: true }];
      case 'error':
        return [compact({ kind: 'error', raw: event, text: str(event, 'message') })];
      case 'request_user_input':
        return [compact({ kind: 'awaiting_input', raw: event, text: questions(event) })];
      default:
        return []; // thread.started, turn.started, item.updated, plan deltas
    }
  };
}

function item(event: JsonObject): JsonObject {
  return obj(event, 'item') ?? {};
}

/** The tool an item stands for, or undefined when it is not a tool call. */
function toolOf(it: JsonObject): string | undefined {
  switch (it.type) {
    case 'command_execution':
    case 'file_change':
    case 'web_search':
      return it.type;
    case 'mcp_tool_call':
      return [str(it, 'server'), str(it, 'tool')].filter(Boolean).join('.') || 'mcp_tool_call';
    case 'collab_tool_call':
      return str(it, 'tool') ?? 'collab_tool_call';
    default:
      return undefined;
  }
}

function started(raw: JsonObject): NormalisedEvent[] {
  const it = item(raw);
  const tool = toolOf(it);
  // file_change is only ever reported completed: its tool_result stands alone.
  if (!tool || it.type === 'file_change') return [];
  return [compact({ kind: 'tool_use', raw, tool, text: str(it, 'command') ?? str(it, 'query') })];
}

function completed(raw: JsonObject): NormalisedEvent[] {
  const it = item(raw);
  if (it.type === 'agent_message') return [{ kind: 'message', raw, text: str(it, 'text') ?? '' }];
  if (it.type === 'error') return [compact({ kind: 'error', raw, text: str(it, 'message') })];
  const tool = toolOf(it);
  if (!tool) return []; // reasoning, todo_list, plan
  const exitCode = it.exit_code;
  const failed = it.status === 'failed' || it.status === 'declined' || (typeof exitCode === 'number' && exitCode !== 0);
  return [compact({ kind: 'tool_result', raw, tool, is_error: failed ? true : undefined })];
}

function tokens(usage: JsonObject | undefined): NormalisedEvent['tokens'] {
  if (count(usage, 'input_tokens') === undefined) return undefined;
  return compact({ input: count(usage, 'input_tokens') ?? 0, output: count(usage, 'output_tokens') ?? 0, cache_read: count(usage, 'cached_input_tokens') });
}

function questions(event: JsonObject): string | undefined {
  const texts = arr(event, 'questions').filter(isObject).map((q) => str(q, 'question')).filter((q) => q !== undefined);
  return texts.length > 0 ? texts.join('\n') : undefined;
}
