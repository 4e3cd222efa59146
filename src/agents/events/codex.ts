// Codex's `codex exec --json`, three generations:
//   0.44 and later: thread.started, turn.started, item.started / item.updated / item.completed
//     (item.type: agent_message, reasoning, command_execution, file_change, mcp_tool_call,
//     web_search, todo_list, error…), turn.completed with usage, turn.failed, error;
//   0.4x "experimental" shape: the same with item.item_type and assistant_message (session.created);
//   before that, the legacy envelope {"id","msg":{"type":…}} (task_started, agent_message,
//   exec_command_begin/end, token_count, task_complete, error…), after a config line and a
//   prompt line of their own.
// A turn's end is its result; its text is the turn's last agent message. Usage is the thread's
// running total (cumulative). A top-level error is a retry ("Reconnecting… 2/5", a warning) or an
// error the turn may still recover from; an error item is a warning.
import { compact, isObject, obj, str, text as textOf } from './json.js';
import { isLimitText, limitEvent } from './limits.js';
import { codexLegacy, usage } from './codex-legacy.js';
import type { JsonObject, NormalisedEvent, Normaliser } from './types.js';

const RETRY = /^(reconnecting|retrying|stream error)\b|\bretrying in\b/i;

export function codexNormaliser(): Normaliser {
  const state = { lastMessage: undefined as string | undefined };
  const legacy = codexLegacy();
  return {
    push: (event) => {
      if (typeof event.type !== 'string') return legacy.push(event);
      const out = threadEvent(event, state);
      return out ?? [{ kind: 'unknown', raw: event }];
    },
    end: () => legacy.end(),
  };
}

function threadEvent(event: JsonObject, state: { lastMessage: string | undefined }): NormalisedEvent[] | undefined {
  switch (event.type) {
    case 'thread.started':
      return [compact({ kind: 'session', raw: event, session_id: str(event, 'thread_id') })];
    case 'session.created':
      return [compact({ kind: 'session', raw: event, session_id: str(event, 'session_id') })];
    case 'turn.started':
    case 'item.updated':
      return []; // todo list progress, partial output
    case 'item.started':
      return started(event);
    case 'item.completed': {
      const out = completed(event);
      for (const e of out) if (e.kind === 'message') state.lastMessage = e.text;
      return out;
    }
    case 'turn.completed': {
      const text = state.lastMessage;
      state.lastMessage = undefined;
      return [compact({ kind: 'result', raw: event, text, tokens: usage(obj(event, 'usage')), cumulative: usage(obj(event, 'usage')) ? true : undefined })];
    }
    case 'turn.failed': {
      const printed = str(obj(event, 'error') ?? {}, 'message');
      const text = unwrapMessage(printed) ?? 'turn failed';
      const result: NormalisedEvent = { kind: 'result', raw: event, text, is_error: true };
      return isLimitText(printed) ? [limitEvent(event, text, 'error', undefined, printed), result] : [result];
    }
    case 'error':
      return [topLevelError(event)];
    case 'request_user_input':
      return [compact({ kind: 'awaiting_input', raw: event, text: questions(event) })];
    default:
      return undefined;
  }
}

/** Codex passes API errors on as their JSON body: the message inside is the text. */
export function unwrapMessage(text: string | undefined): string | undefined {
  if (!text?.startsWith('{')) return text;
  try {
    const body: unknown = JSON.parse(text);
    const inner = isObject(body) ? (obj(body, 'error') ?? body) : undefined;
    return (inner && (textOf(inner, 'message') ?? textOf(inner, 'detail'))) ?? text;
  } catch {
    return text;
  }
}

function topLevelError(raw: JsonObject): NormalisedEvent {
  const printed = str(raw, 'message');
  const text = unwrapMessage(printed);
  const severity = text && RETRY.test(text) ? 'warning' : 'error';
  return isLimitText(printed) ? limitEvent(raw, text, severity, undefined, printed) : compact({ kind: 'error', raw, text, severity });
}

function item(event: JsonObject): JsonObject {
  const it = obj(event, 'item') ?? {};
  // 0.4x named the type item_type and the reply assistant_message.
  const type = str(it, 'type') ?? str(it, 'item_type');
  return { ...it, type: type === 'assistant_message' ? 'agent_message' : type };
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
  if (!tool) return [];
  return [compact({ kind: 'tool_use', raw, tool, text: str(it, 'command') ?? str(it, 'query') })];
}

/** Items relay knows and does not report: the agent's thinking and plan. */
const QUIET_ITEMS = new Set(['reasoning', 'todo_list', 'plan']);

function completed(raw: JsonObject): NormalisedEvent[] {
  const it = item(raw);
  if (it.type === 'agent_message') return [{ kind: 'message', raw, text: str(it, 'text') ?? '' }];
  if (it.type === 'error') {
    const text = str(it, 'message');
    return [isLimitText(text) ? limitEvent(raw, text, 'warning') : compact({ kind: 'error', raw, text, severity: 'warning' })];
  }
  const tool = toolOf(it);
  if (!tool) return typeof it.type === 'string' && QUIET_ITEMS.has(it.type) ? [] : [{ kind: 'unknown', raw }];
  const exitCode = it.exit_code;
  const failed = it.status === 'failed' || it.status === 'declined' || (typeof exitCode === 'number' && exitCode !== 0);
  return [compact({ kind: 'tool_result', raw, tool, is_error: failed ? true : undefined })];
}

function questions(event: JsonObject): string | undefined {
  const list = Array.isArray(event.questions) ? event.questions : [];
  const texts = list.filter(isObject).map((q) => textOf(q, 'question')).filter((q) => q !== undefined);
  return texts.length > 0 ? texts.join('\n') : undefined;
}
