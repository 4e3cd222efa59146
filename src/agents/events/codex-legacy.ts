// Codex's legacy `codex exec --json` (before 0.44, mid-2025): a config line and a prompt line,
// then events in the envelope {"id":"1","msg":{"type":…}}. One task per run: task_complete is
// the result, with the last token_count's usage (the running total) and last_agent_message.
import { compact, count, isObject, obj, str } from './json.js';
import { isLimitText, limitEvent } from './limits.js';
import type { JsonObject, NormalisedEvent, Normaliser } from './types.js';

/** Legacy events relay knows and does not report: deltas, reasoning, plans, diffs. */
const QUIET = /^(task_started|agent_reasoning.*|.*_delta|turn_diff|plan_update|background_event|get_history_entry_response|shutdown_complete|turn_aborted)$/;

export function codexLegacy(): Normaliser {
  let lastMessage: string | undefined;
  let tokens: NormalisedEvent['tokens'];
  const push = (raw: JsonObject): NormalisedEvent[] => {
    const msg = obj(raw, 'msg');
    if (!msg) return configOrPrompt(raw);
    const type = str(msg, 'type') ?? '';
    if (type === 'agent_message') lastMessage = str(msg, 'message');
    if (type === 'token_count') {
      // Later legacy versions nest it: info.total_token_usage.
      tokens = usage(obj(obj(msg, 'info') ?? {}, 'total_token_usage') ?? msg) ?? tokens;
      return [];
    }
    if (type === 'task_complete') {
      const text = str(msg, 'last_agent_message') ?? lastMessage;
      return [compact({ kind: 'result', raw, text, tokens, cumulative: tokens ? true : undefined })];
    }
    return envelope(raw, msg, type);
  };
  return { push, end: () => [] };
}

function configOrPrompt(raw: JsonObject): NormalisedEvent[] {
  if (typeof raw.prompt === 'string') return []; // the prompt, echoed
  if (typeof raw.model === 'string') return [{ kind: 'session', raw, model: raw.model }];
  return [{ kind: 'unknown', raw }];
}

function envelope(raw: JsonObject, msg: JsonObject, type: string): NormalisedEvent[] {
  switch (type) {
    case 'session_configured':
      return [compact({ kind: 'session', raw, session_id: str(msg, 'session_id'), model: str(msg, 'model') })];
    case 'agent_message':
      return [{ kind: 'message', raw, text: str(msg, 'message') ?? '' }];
    case 'exec_command_begin':
      return [compact({ kind: 'tool_use', raw, tool: 'command_execution', text: command(msg) })];
    case 'exec_command_end':
      return [compact({ kind: 'tool_result', raw, tool: 'command_execution', is_error: typeof msg.exit_code === 'number' && msg.exit_code !== 0 ? true : undefined })];
    case 'patch_apply_begin':
      return [{ kind: 'tool_use', raw, tool: 'file_change' }];
    case 'patch_apply_end':
      return [compact({ kind: 'tool_result', raw, tool: 'file_change', is_error: msg.success === false ? true : undefined })];
    case 'mcp_tool_call_begin':
    case 'mcp_tool_call_end':
      return [mcp(raw, msg, type)];
    case 'web_search_begin':
      return [{ kind: 'tool_use', raw, tool: 'web_search' }];
    case 'web_search_end':
      return [{ kind: 'tool_result', raw, tool: 'web_search' }];
    case 'exec_approval_request':
    case 'apply_patch_approval_request':
      return [compact({ kind: 'awaiting_input', raw, text: str(msg, 'reason') })];
    case 'error':
    case 'stream_error': {
      const text = str(msg, 'message');
      const severity = type === 'stream_error' ? 'warning' : 'error';
      return [isLimitText(text) ? limitEvent(raw, text, severity) : compact({ kind: 'error', raw, text, severity })];
    }
    default:
      return QUIET.test(type) ? [] : [{ kind: 'unknown', raw }];
  }
}

function command(msg: JsonObject): string | undefined {
  const c = msg.command;
  if (typeof c === 'string') return c;
  return Array.isArray(c) && c.every((p) => typeof p === 'string') ? c.join(' ') : undefined;
}

function mcp(raw: JsonObject, msg: JsonObject, type: string): NormalisedEvent {
  const call = obj(msg, 'invocation') ?? {};
  const tool = [str(call, 'server'), str(call, 'tool')].filter(Boolean).join('.') || 'mcp_tool_call';
  if (type === 'mcp_tool_call_begin') return { kind: 'tool_use', raw, tool };
  const result = obj(msg, 'result');
  const failed = (result && 'Err' in result) || (isObject(result?.Ok) && result.Ok.isError === true);
  return compact({ kind: 'tool_result', raw, tool, is_error: failed ? true : undefined });
}

/** Codex usage (both generations) as tokens: input and output include cache and reasoning. */
export function usage(u: JsonObject | undefined): NormalisedEvent['tokens'] {
  if (count(u, 'input_tokens') === undefined) return undefined;
  return compact({
    input: count(u, 'input_tokens') ?? 0,
    output: count(u, 'output_tokens') ?? 0,
    cache_read: count(u, 'cached_input_tokens'),
    cache_write: count(u, 'cache_write_input_tokens'),
    reasoning: count(u, 'reasoning_output_tokens'),
  });
}
