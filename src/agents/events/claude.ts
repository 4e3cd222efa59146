// Claude Code's stream-json (`claude -p … --output-format stream-json --verbose`), versions 1.0
// to 2.1: one SDK message per line. `system` init names the session and model; `assistant`
// lines carry content blocks (text, tool_use, thinking), or, with a top-level `error` and model
// `<synthetic>`, an API error; `user` lines carry tool_result blocks; `rate_limit_event` reports
// the account's limits; `result` ends a turn. A process may print several results (background
// tasks wake it up again): total_cost_usd is the process's running total, and so is modelUsage
// (subagents included), so a result's totals replace the earlier ones (cumulative). Lines with a
// parent_tool_use_id come from a subagent and say so (subagent).
import { arr, compact, count, isObject, num, obj, str, text as textOf } from './json.js';
import { epochToIso, isLimitText, limitEvent } from './limits.js';
import type { JsonObject, NormalisedEvent, Normaliser } from './types.js';

/** Claude Code's tool for asking the user a question. */
const ASK_TOOL = 'AskUserQuestion';

/**
 * Lines relay knows and has nothing to report about: stream deltas, progress, and the SDK's
 * control protocol (only with --input-format stream-json, which relay's presets do not use: a
 * permission prompt there is answered in JSON on stdin, not by typing).
 */
const QUIET = new Set(['stream_event', 'tool_progress', 'control_request', 'control_response', 'control_cancel_request', 'keep_alive']);

export interface ClaudeOptions {
  /**
   * AskUserQuestion waits for an answer on the terminal (relay's simulated agent). Claude Code
   * in print mode answers it itself and goes on, so there it is an ordinary tool call.
   */
  askWaits?: boolean;
}

export function claudeNormaliser(options: ClaudeOptions = {}): Normaliser {
  const toolNames = new Map<string, string>();
  const push = (event: JsonObject): NormalisedEvent[] => {
    const sub = str(event, 'parent_tool_use_id');
    switch (event.type) {
      case 'system':
        return system(event);
      case 'assistant':
        return apiError(event, sub) ?? blocks(event).flatMap((b) => assistantBlock(event, b, toolNames, options, sub));
      case 'user':
        return blocks(event).flatMap((b) => userBlock(event, b, toolNames, sub));
      case 'result':
        return result(event);
      case 'rate_limit_event':
        return [rateLimit(event)];
      default:
        return typeof event.type === 'string' && QUIET.has(event.type) ? [] : [{ kind: 'unknown', raw: event }];
    }
  };
  return { push, end: () => [] };
}

function system(raw: JsonObject): NormalisedEvent[] {
  if (raw.subtype === 'init') return [compact({ kind: 'session', raw, session_id: str(raw, 'session_id'), model: str(raw, 'model') })];
  // A background or sub-agent task that failed: the main agent goes on (its own result decides).
  if (raw.subtype === 'task_notification' && raw.status === 'failed') {
    const summary = str(raw, 'summary');
    const sub = str(raw, 'tool_use_id');
    return [isLimitText(summary) ? limitEvent(raw, summary, 'warning', sub) : compact({ kind: 'error', raw, text: summary, severity: 'warning', subagent: sub })];
  }
  return []; // hooks, status, thinking_tokens, task progress, compaction markers
}

function blocks(event: JsonObject): JsonObject[] {
  const message = obj(event, 'message');
  return message ? arr(message, 'content').filter(isObject) : [];
}

function joinedText(event: JsonObject): string | undefined {
  const texts = blocks(event).filter((b) => b.type === 'text').map((b) => str(b, 'text')).filter((t): t is string => !!t);
  return texts.length > 0 ? texts.join('\n') : undefined;
}

/** An assistant line that is an API error Claude Code made up (model <synthetic>), not a reply. */
function apiError(raw: JsonObject, sub: string | undefined): NormalisedEvent[] | undefined {
  const code = textOf(raw, 'error');
  const flagged = raw.is_api_error_message === true || raw.isApiErrorMessage === true;
  if (!code && !flagged) return undefined;
  const message = joinedText(raw);
  if (code === 'rate_limit' || isLimitText(message)) return [limitEvent(raw, message ?? code, 'error', sub)];
  return [compact({ kind: 'error', raw, text: message ?? code, severity: 'error', subagent: sub })];
}

function assistantBlock(raw: JsonObject, block: JsonObject, toolNames: Map<string, string>, options: ClaudeOptions, sub?: string): NormalisedEvent[] {
  if (block.type === 'text') return [compact({ kind: 'message', raw, text: str(block, 'text') ?? '', subagent: sub })];
  if (block.type !== 'tool_use') return []; // thinking, redacted_thinking
  const tool = str(block, 'name') ?? 'unknown';
  const id = str(block, 'id');
  if (id) toolNames.set(id, tool);
  const kind = tool === ASK_TOOL && options.askWaits ? 'awaiting_input' : 'tool_use';
  return [compact({ kind, raw, tool, text: tool === ASK_TOOL ? questions(obj(block, 'input')) : undefined, subagent: sub })];
}

function userBlock(raw: JsonObject, block: JsonObject, toolNames: Map<string, string>, sub?: string): NormalisedEvent[] {
  if (block.type !== 'tool_result') return [];
  const id = str(block, 'tool_use_id');
  return [compact({ kind: 'tool_result', raw, tool: (id && toolNames.get(id)) || undefined, is_error: block.is_error === true ? true : undefined, subagent: sub })];
}

function questions(input: JsonObject | undefined): string | undefined {
  const texts = input ? arr(input, 'questions').filter(isObject).map((q) => str(q, 'question')).filter((q) => q !== undefined) : [];
  return texts.length > 0 ? texts.join('\n') : undefined;
}

function rateLimit(raw: JsonObject): NormalisedEvent {
  const info = obj(raw, 'rate_limit_info') ?? {};
  const status = str(info, 'status');
  const severity = status === 'rejected' ? 'error' : status === 'allowed_warning' ? 'warning' : 'info';
  const text = [str(info, 'rateLimitType'), status].filter(Boolean).join(': ') || undefined;
  return compact({ kind: 'rate_limit', raw, text, severity, resets_at: epochToIso(info.resetsAt) });
}

function result(raw: JsonObject): NormalisedEvent[] {
  const subtype = str(raw, 'subtype');
  // error_max_turns, error_during_execution… are failures even where is_error says false (1.0).
  const failed = raw.is_error === true || (subtype?.startsWith('error') ?? false);
  const errors = arr(raw, 'errors').filter((e): e is string => typeof e === 'string');
  const text = textOf(raw, 'result') ?? (failed ? (errors.join('\n') || subtype) : undefined);
  const event = compact({
    kind: 'result' as const,
    raw,
    text,
    tokens: tokens(raw),
    cost_usd: num(raw, 'total_cost_usd'),
    cumulative: true,
    is_error: failed ? true : undefined,
  });
  const limited = failed && (raw.api_error_status === 429 || isLimitText(text));
  return limited ? [limitEvent(raw, text, 'error'), event] : [event];
}

/** The process's token totals: modelUsage (every model, subagents included) when there, else usage. */
function tokens(raw: JsonObject): NormalisedEvent['tokens'] {
  const models = Object.values(obj(raw, 'modelUsage') ?? {}).filter(isObject);
  if (models.length > 0) {
    const sum = (key: string): number => models.reduce((n, m) => n + (count(m, key) ?? 0), 0);
    return { input: sum('inputTokens'), output: sum('outputTokens'), cache_read: sum('cacheReadInputTokens'), cache_write: sum('cacheCreationInputTokens') };
  }
  const usage = obj(raw, 'usage');
  if (count(usage, 'input_tokens') === undefined) return undefined;
  return compact({
    input: count(usage, 'input_tokens') ?? 0,
    output: count(usage, 'output_tokens') ?? 0,
    cache_read: count(usage, 'cache_read_input_tokens'),
    cache_write: count(usage, 'cache_creation_input_tokens'),
  });
}
