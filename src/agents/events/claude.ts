// Claude Code's stream-json (`claude -p … --output-format stream-json --verbose`): one SDK
// message per line. `assistant` lines carry content blocks (text, tool_use, thinking), `user`
// lines carry tool_result blocks, and the last line, `result`, carries the run's usage and
// total_cost_usd. Tokens are taken from `result` only: assistant lines repeat their API call's
// usage once per content block, so summing them would count tokens several times.
import { arr, compact, count, isObject, num, obj, str } from './json.js';
import type { JsonObject, NormalisedEvent, Normaliser } from './types.js';

/** Claude Code's tool for asking the user a question. */
const ASK_TOOL = 'AskUserQuestion';

export function claudeNormaliser(): Normaliser {
  const toolNames = new Map<string, string>();
  return (event) => {
    switch (event.type) {
      case 'assistant':
        return blocks(event).flatMap((b) => assistantBlock(event, b, toolNames));
      case 'user':
        return blocks(event).flatMap((b) => userBlock(event, b, toolNames));
      case 'result':
        return [result(event)];
      default:
        return []; // system init, partial stream events, compaction markers
    }
  };
}

function blocks(event: JsonObject): JsonObject[] {
  const message = obj(event, 'message');
  return message ? arr(message, 'content').filter(isObject) : [];
}

function assistantBlock(raw: JsonObject, block: JsonObject, toolNames: Map<string, string>): NormalisedEvent[] {
  if (block.type === 'text') return [{ kind: 'message', raw, text: str(block, 'text') ?? '' }];
  if (block.type !== 'tool_use') return [];
  const tool = str(block, 'name') ?? 'unknown';
  const id = str(block, 'id');
  if (id) toolNames.set(id, tool);
  if (tool === ASK_TOOL) return [compact({ kind: 'awaiting_input', raw, tool, text: questions(block) })];
  return [{ kind: 'tool_use', raw, tool }];
}

function userBlock(raw: JsonObject, block: JsonObject, toolNames: Map<string, string>): NormalisedEvent[] {
  if (block.type !== 'tool_result') return [];
  const id = str(block, 'tool_use_id');
  return [compact({ kind: 'tool_result', raw, tool: (id && toolNames.get(id)) || undefined, is_error: block.is_error === true ? true : undefined })];
}

function questions(block: JsonObject): string | undefined {
  const input = obj(block, 'input');
  const texts = input ? arr(input, 'questions').filter(isObject).map((q) => str(q, 'question')).filter((q) => q !== undefined) : [];
  return texts.length > 0 ? texts.join('\n') : undefined;
}

function result(raw: JsonObject): NormalisedEvent {
  const usage = obj(raw, 'usage');
  const tokens = usage && count(usage, 'input_tokens') !== undefined
    ? compact({
        input: count(usage, 'input_tokens') ?? 0,
        output: count(usage, 'output_tokens') ?? 0,
        cache_read: count(usage, 'cache_read_input_tokens'),
        cache_write: count(usage, 'cache_creation_input_tokens'),
      })
    : undefined;
  return compact({
    kind: 'result',
    raw,
    text: str(raw, 'result'),
    tokens,
    cost_usd: num(raw, 'total_cost_usd'),
    is_error: raw.is_error === true ? true : undefined,
  });
}
