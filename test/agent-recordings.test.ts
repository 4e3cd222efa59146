// The agent parsers over every real recording in test/fixtures/agents (see the SOURCES.md
// there): the exact kinds of events, the agent's verdict and the totals per recording; the same
// through a terminal in small pieces; and the cases the issue named, on those recordings.
import { readdirSync, readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { agentEventBody, createEventParser, type EventFormat, type NormalisedEvent } from '../src/agents/events/index.js';
import { JsonLines, parseLine } from '../src/agents/events/lines.js';
import { addEvent, emptyTotals, sumTotals } from '../src/agents/events/totals.js';
import { Verdict } from '../src/agents/events/verdict.js';
import { AnyFrame, PROTOCOL_VERSION } from '../src/frames/types.js';

const DIR = new URL('./fixtures/agents/', import.meta.url);
const recording = (name: string): string => readFileSync(new URL(name, DIR), 'utf8');
const formatOf = (name: string): EventFormat => name.split('/')[0] as EventFormat;
const CORPUS = (['claude', 'codex', 'gemini'] as const).flatMap((agent) =>
  readdirSync(new URL(`${agent}/`, DIR)).filter((f) => f.endsWith('.jsonl')).sort().map((f) => `${agent}/${f}`));

function parseAll(format: EventFormat, chunks: string[]): NormalisedEvent[] {
  const parser = createEventParser(format);
  return [...chunks.flatMap((c) => parser.push(c)), ...parser.end()];
}
const parseFile = (name: string): NormalisedEvent[] => parseAll(formatOf(name), [recording(name)]);

/** What a terminal makes of a program's output: "\n" becomes "\r\n". */
const onTerminal = (text: string): string => text.replaceAll('\n', '\r\n');

/** Deterministic cuts into pieces of 1..17 characters, splitting lines (and UTF-8 text) anywhere. */
function chop(text: string, seed = 7): string[] {
  const out: string[] = [];
  let s = seed;
  for (let i = 0; i < text.length; ) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const n = 1 + (s % 17);
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}

function judge(events: NormalisedEvent[]) {
  const totals = emptyTotals();
  const verdict = new Verdict();
  for (const e of events) addEvent(totals, e), verdict.add(e);
  return { totals, failure: verdict.failure };
}

/** Kinds in order; a subagent's in parentheses. */
const kinds = (events: NormalisedEvent[]): string => events.map((e) => (e.subagent ? `(${e.kind})` : e.kind)).join(' ');
const tok = (input: number, output: number, cache_read = 0, cache_write = 0, reasoning = 0) => ({ input, output, cache_read, cache_write, reasoning });

const EXPECTED: Record<string, { kinds: string; failure?: string; tokens: ReturnType<typeof tok>; cost_usd: number }> = {
  'claude/1.0-error-during-execution.jsonl': { kinds: 'result', failure: 'error_during_execution', tokens: tok(112, 6814, 1120129, 58211), cost_usd: 0.6571631500000001 },
  'claude/1.0-opus4-write-tool.jsonl': { kinds: 'session message tool_use tool_result message result', tokens: tok(11, 235, 29482, 489), cost_usd: 0.09007774999999998 },
  'claude/2.1.226-ask-user-question.jsonl': { kinds: 'session tool_use tool_result message result', tokens: tok(18, 238, 66750, 250), cost_usd: 0.0081955 },
  'claude/2.1.233-api-error-403.jsonl': {
    kinds: 'error',
    failure: 'Your organization has disabled Claude subscription access for Claude Code · Use an Anthropic API key instead, or ask your admin to enable access',
    tokens: tok(0, 0),
    cost_usd: 0,
  },
  // modelUsage (subagent included) rather than usage (the main agent only): 52 not 10 input tokens.
  'claude/2.1.263-subagent.jsonl': { kinds: 'session message tool_use (tool_use) (tool_use) (tool_result) (tool_result) (tool_result) tool_result message result', tokens: tok(52, 24407, 1040105, 83433), cost_usd: 1.7431662499999998 },
  'claude/2.1.268-background-subagent-session-limit.jsonl': { kinds: 'tool_use tool_result (tool_use) (rate_limit)', tokens: tok(0, 0), cost_usd: 0 },
  // Two results: the second's running totals, not the sum of both (0.0692 would be double counted).
  'claude/2.1.289-background-two-results.jsonl': { kinds: 'session tool_use tool_result tool_use rate_limit tool_result message result session message result', tokens: tok(30, 543, 65954, 13619), cost_usd: 0.0365784 },
  'codex/0.10-legacy-envelope-auth-error.jsonl': { kinds: 'session error', failure: 'Missing environment variable: `OPENAI_API_KEY`. Create an API key (https://platform.openai.com) and export it as an environment variable.', tokens: tok(0, 0), cost_usd: 0 },
  'codex/0.10-legacy-envelope-token-count.jsonl': { kinds: 'result', tokens: tok(1674, 384, 1627, 0, 384), cost_usd: 0 },
  'codex/0.10-legacy-envelope-tool.jsonl': { kinds: 'tool_use tool_result result', tokens: tok(0, 0), cost_usd: 0 },
  'codex/0.142.5-success.jsonl': { kinds: 'session message result', tokens: tok(14312, 32, 2432, 0, 25), cost_usd: 0 },
  'codex/0.142.5-tool-use.jsonl': { kinds: 'session tool_use tool_result message result', tokens: tok(28858, 196, 16128, 0, 87), cost_usd: 0 },
  'codex/0.142.5-turn-failed.jsonl': { kinds: 'session error error result', failure: "The 'gpt-5.6-sol' model requires a newer version of Codex. Please upgrade to the latest app or CLI and try again.", tokens: tok(0, 0), cost_usd: 0 },
  'codex/0.159.3-file-change.jsonl': { kinds: 'session message tool_use tool_result tool_use tool_result message result', tokens: tok(41320, 295, 27386, 13925, 74), cost_usd: 0 },
  'codex/0.43-item-type-excerpt.jsonl': { kinds: 'session tool_use tool_result', tokens: tok(0, 0), cost_usd: 0 },
  'codex/0.46.0-reasoning.jsonl': { kinds: 'session message result', tokens: tok(2946, 7), cost_usd: 0 },
  'gemini/0.3x-delta-chunks-excerpt.jsonl': { kinds: 'message', tokens: tok(0, 0), cost_usd: 0 },
  'gemini/0.56-formatter-error-events.jsonl': { kinds: 'tool_result error result', failure: 'Maximum session turns exceeded', tokens: tok(50, 50), cost_usd: 0 },
  'gemini/0.56-loop-detected-warning.jsonl': { kinds: 'session error result', tokens: tok(0, 0), cost_usd: 0 },
  'gemini/0.56-max-session-turns.jsonl': { kinds: 'session error result', failure: 'Maximum session turns exceeded', tokens: tok(0, 0), cost_usd: 0 },
  'gemini/0.56-tool-use-then-answer.jsonl': { kinds: 'session message tool_use tool_result message result', tokens: tok(0, 0), cost_usd: 0 },
};

describe('the parsers over every recording', () => {
  it('the expectations cover exactly the corpus', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(CORPUS);
  });

  it.each(CORPUS)('%s: exact kinds, verdict, totals; no unknown event', (name) => {
    const events = parseFile(name);
    const want = EXPECTED[name]!;
    expect(kinds(events)).toBe(want.kinds);
    const { totals, failure } = judge(events);
    expect(failure).toBe(want.failure);
    expect(totals.tokens).toEqual(want.tokens);
    expect(totals.cost_usd).toBe(want.cost_usd);
  });

  it.each(CORPUS)('%s: the same events through a terminal in small, line-splitting pieces, raw objects kept', (name) => {
    const whole = parseFile(name);
    expect(parseAll(formatOf(name), chop(onTerminal(recording(name))))).toEqual(whole);
    const lines = recording(name).trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
    for (const e of whole) {
      const raws = Array.isArray(e.raw) ? e.raw : [e.raw];
      for (const raw of raws) expect(lines).toContainEqual(raw);
    }
  });

  it('every event of the corpus makes a valid agent_event frame', () => {
    let seq = 0;
    for (const name of CORPUS) {
      for (const e of parseFile(name)) {
        const frame = { v: PROTOCOL_VERSION, seq: ++seq, ts: 1764000000000, ...agentEventBody({ worker: 'w1', task: 1, task_id: '1', attempt: 1 }, e) };
        expect(Value.Errors(AnyFrame, frame).First(), name).toBeUndefined();
      }
    }
  });
});

describe('what the issue named, on the recordings', () => {
  it('session identity and model are recorded (Claude init, Codex thread, Gemini init, legacy Codex config)', () => {
    expect(judge(parseFile('claude/2.1.289-background-two-results.jsonl')).totals).toMatchObject({ session_id: '3aa6b565-b411-40c3-bb8e-0a4111d5236a', model: 'claude-haiku-4-5-20251001' });
    expect(judge(parseFile('codex/0.159.3-file-change.jsonl')).totals.session_id).toBe('01a062d8-3c06-78f1-95f2-0fe3e261d47f');
    expect(judge(parseFile('gemini/0.56-tool-use-then-answer.jsonl')).totals).toMatchObject({ session_id: 'test-session-id', model: 'test-model' });
    expect(judge(parseFile('codex/0.10-legacy-envelope-auth-error.jsonl')).totals.model).toBe('codex-mini-latest');
  });

  it('rate limits are their own events, with the reset time when given', () => {
    const info = parseFile('claude/2.1.289-background-two-results.jsonl').find((e) => e.kind === 'rate_limit');
    expect(info).toMatchObject({ text: 'five_hour: allowed', severity: 'info', resets_at: '2026-10-06T11:10:00.000Z' });
    const sub = parseFile('claude/2.1.268-background-subagent-session-limit.jsonl').at(-1);
    expect(sub).toMatchObject({ kind: 'rate_limit', severity: 'warning', subagent: 'toolu_01Pukgu3fDuSQwUK9b45Hteg' });
  });

  it('warnings are not failures: a Codex error item, a Gemini loop warning, a subagent stopped by a limit', () => {
    const codex = parseFile('codex/0.142.5-turn-failed.jsonl');
    expect(codex[1]).toMatchObject({ kind: 'error', severity: 'warning' });
    expect(codex[2]).toMatchObject({ kind: 'error', severity: 'error' });
    expect(parseFile('gemini/0.56-loop-detected-warning.jsonl')[1]).toMatchObject({ kind: 'error', severity: 'warning' });
    expect(judge(parseFile('claude/2.1.268-background-subagent-session-limit.jsonl')).failure).toBeUndefined();
  });

  it('subagent events are counted apart from the top-level ones', () => {
    expect(judge(parseFile('claude/2.1.263-subagent.jsonl')).totals.events).toEqual({
      message: 2, tool_use: 1, tool_result: 1, awaiting_input: 0, result: 1, error: 0, rate_limit: 0, session: 1, unknown: 0, subagent: 5,
    });
  });

  it('AskUserQuestion in claude -p is a tool call the CLI answers, not awaiting_input; the sim format waits', () => {
    const events = parseFile('claude/2.1.226-ask-user-question.jsonl');
    expect(events.filter((e) => e.kind === 'awaiting_input')).toEqual([]);
    expect(events[1]).toMatchObject({ kind: 'tool_use', tool: 'AskUserQuestion', text: 'Which color do you prefer?' });
    const sim = parseAll('sim', [recording('claude/2.1.226-ask-user-question.jsonl')]);
    expect(sim[1]).toMatchObject({ kind: 'awaiting_input', tool: 'AskUserQuestion', text: 'Which color do you prefer?' });
  });

  it('Gemini delta chunks make one message, raw the chunks; the answer before the tool calls is kept', () => {
    const [message] = parseFile('gemini/0.3x-delta-chunks-excerpt.jsonl');
    expect(Array.isArray(message!.raw) && message!.raw.length).toBe(3);
    expect(message!.text).toMatch(/^` returns early .* - path: repo-agent\/$/s);
    // The tool events of this recording, moved after the answer (as Gemini 3 does), keep it the result's text.
    const lines = recording('gemini/0.56-tool-use-then-answer.jsonl').trimEnd().split('\n');
    const reordered = [lines[0], lines[1], lines[5], lines[3], lines[4], lines[6]].join('\n') + '\n';
    expect(parseAll('gemini', [reordered]).at(-1)).toMatchObject({ kind: 'result', text: 'Final answer' });
  });

  it('a failed Gemini result takes its text from the error event before it', () => {
    expect(parseFile('gemini/0.56-max-session-turns.jsonl').at(-1)).toMatchObject({ kind: 'result', is_error: true, text: 'Maximum session turns exceeded' });
  });

  it('finds the JSON object in a line glued to a stderr message', () => {
    const init = recording('gemini/0.56-tool-use-then-answer.jsonl').split('\n')[0]!;
    // The message gemini-cli prints (mcp-client-manager.ts), without its newline, then the event.
    expect(parseLine('MCP issues detected. Run /mcp list for status.' + init)).toEqual(JSON.parse(init));
    expect(parseLine('\x1b[33mwarning {not json}\x1b[0m ' + init + '\r')).toEqual(JSON.parse(init));
    expect(parseLine('no object here {')).toBeUndefined();
  });

  it('unknown objects pass through as unknown events; a preset with only those is unrecognised', () => {
    const events = parseAll('codex', ['{"type":"brand.new","x":1}\n{"no_type":true}\n[1,2]\nplain text\n']);
    expect(events).toEqual([{ kind: 'unknown', raw: { type: 'brand.new', x: 1 } }, { kind: 'unknown', raw: { no_type: true } }]);
    expect(parseAll('claude', ['{"type":"brand_new"}\n']).map((e) => e.kind)).toEqual(['unknown']);
  });
});

describe('shapes with no recording in the corpus (documented by the CLIs and their issue trackers)', () => {
  it('Codex reconnect retries are warnings, and a limit names its reset when it is a number', () => {
    const events = parseAll('codex', [
      JSON.stringify({ type: 'error', message: 'Reconnecting... 2/5 (timeout waiting for child process to exit)' }) + '\n',
      // The body of Codex's usage-limit error as earendil-works/pi#4172 quotes it (shortened).
      JSON.stringify({ type: 'turn.failed', error: { message: JSON.stringify({ type: 'error', error: { type: 'usage_limit_reached', message: 'The usage limit has been reached', plan_type: 'plus', resets_at: 1777936568, resets_in_seconds: 13872 }, status_code: 429 }) } }) + '\n',
    ]);
    expect(events[0]).toMatchObject({ kind: 'error', severity: 'warning' });
    expect(events[1]).toMatchObject({ kind: 'rate_limit', severity: 'error', text: 'The usage limit has been reached', resets_at: '2026-05-04T23:16:08.000Z' });
    expect(events[2]).toMatchObject({ kind: 'result', is_error: true, text: 'The usage limit has been reached' });
  });

  it('Claude: a rejected rate_limit_event is an error-severity limit; "usage limit reached|epoch" gives its reset', () => {
    const events = parseAll('claude', [
      JSON.stringify({ type: 'rate_limit_event', rate_limit_info: { status: 'rejected', resetsAt: 1778565600, rateLimitType: 'five_hour' } }) + '\n',
      JSON.stringify({ type: 'result', subtype: 'success', is_error: true, result: 'Claude AI usage limit reached|1751994000', total_cost_usd: 0 }) + '\n',
    ]);
    expect(events.map((e) => [e.kind, e.severity, e.resets_at])).toEqual([
      ['rate_limit', 'error', '2026-05-12T06:00:00.000Z'],
      ['rate_limit', 'error', '2025-07-08T17:00:00.000Z'],
      ['result', undefined, undefined],
    ]);
  });
});

describe('lines', () => {
  it('drops a line longer than the limit without keeping it in memory, and carries on after it', () => {
    const lines = new JsonLines(100);
    const got = [...lines.push('{"type":"a","pad":"' + 'x'.repeat(80)), ...lines.push('x'.repeat(80) + '"}\n{"type":"b"}\n')];
    expect(got).toEqual([{ type: 'b' }]);
  });

  it('reports nothing for format none', () => {
    expect(parseAll('none', [recording('claude/1.0-opus4-write-tool.jsonl')])).toEqual([]);
  });
});

describe('totals', () => {
  it('add additive amounts exactly and take running totals as they are; run totals sum attempts', () => {
    const t = emptyTotals();
    for (let i = 0; i < 3; i++) addEvent(t, { kind: 'result', cost_usd: 0.1 });
    expect(t.cost_usd).toBe(0.3);
    const a = judge(parseFile('claude/2.1.289-background-two-results.jsonl')).totals;
    const b = judge(parseFile('codex/0.159.3-file-change.jsonl')).totals;
    const sum = sumTotals([a, { ...b, unrecognised: 1 }]);
    expect(sum.cost_usd).toBe(0.0365784);
    expect(sum.tokens).toEqual(tok(30 + 41320, 543 + 295, 65954 + 27386, 13619 + 13925, 74));
    expect(sum.unrecognised).toBe(1);
    expect(sum.session_id).toBeUndefined();
  });
});
