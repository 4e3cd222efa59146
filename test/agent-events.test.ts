import { readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { agentEventBody, createEventParser, type EventFormat, type NormalisedEvent } from '../src/agents/events/index.js';
import { JsonLines } from '../src/agents/events/lines.js';
import { addEvent, emptyTotals, sumTotals } from '../src/agents/events/totals.js';
import { AnyFrame, PROTOCOL_VERSION } from '../src/frames/types.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/agents/${name}.ndjson`, import.meta.url), 'utf8');

/** The events without `raw`, which is checked on its own. */
function summary(events: NormalisedEvent[]): Omit<NormalisedEvent, 'raw'>[] {
  return events.map(({ raw: _raw, ...rest }) => rest);
}

function parseAll(format: EventFormat, chunks: string[]): NormalisedEvent[] {
  const parser = createEventParser(format);
  return [...chunks.flatMap((c) => parser.push(c)), ...parser.end()];
}

/** What a terminal makes of a program's output: "\n" becomes "\r\n". */
const onTerminal = (text: string): string => text.replaceAll('\n', '\r\n');

/** Deterministic cuts into pieces of 1..17 characters, splitting lines (and UTF-8 text) anywhere. */
function chop(text: string, seed = 7): string[] {
  const out: string[] = [];
  let i = 0;
  let s = seed;
  while (i < text.length) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const n = 1 + (s % 17);
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}

function totalsOf(events: NormalisedEvent[]) {
  return events.reduce((t, e) => addEvent(t, e), emptyTotals());
}

const CLAUDE_EVENTS = [
  { kind: 'message', text: "I'll look at the cache module first." },
  { kind: 'tool_use', tool: 'Read' },
  { kind: 'tool_result', tool: 'Read' },
  { kind: 'message', text: "Now I'll run the tests." },
  { kind: 'tool_use', tool: 'Bash' },
  { kind: 'tool_result', tool: 'Bash', is_error: true },
  { kind: 'tool_use', tool: 'Edit' },
  { kind: 'tool_result', tool: 'Edit' },
  { kind: 'message', text: 'The cache now takes a maximum size; the eviction test passes.' },
  {
    kind: 'result',
    text: 'The cache now takes a maximum size; the eviction test passes.',
    tokens: { input: 22, output: 226, cache_read: 50996, cache_write: 2314 },
    cost_usd: 0.0427315,
  },
];

const CODEX_EVENTS = [
  { kind: 'tool_use', tool: 'command_execution', text: "bash -lc 'npm test -- cache'" },
  { kind: 'tool_result', tool: 'command_execution', is_error: true },
  { kind: 'error', text: 'Reconnecting... 1/5' },
  { kind: 'tool_result', tool: 'file_change' },
  { kind: 'tool_use', tool: 'github.search_issues' },
  { kind: 'tool_result', tool: 'github.search_issues' },
  { kind: 'tool_use', tool: 'command_execution', text: "bash -lc 'npm test -- cache'" },
  { kind: 'tool_result', tool: 'command_execution' },
  { kind: 'message', text: 'Fixed the eviction order in src/lib/cache.ts; the cache tests pass.' },
  {
    kind: 'result',
    text: 'Fixed the eviction order in src/lib/cache.ts; the cache tests pass.',
    tokens: { input: 24763, output: 122, cache_read: 24448 },
  },
];

const GEMINI_EVENTS = [
  { kind: 'message', text: "I'll read the cache " },
  { kind: 'message', text: 'module first.' },
  { kind: 'tool_use', tool: 'read_file' },
  { kind: 'tool_result', tool: 'read_file' },
  { kind: 'tool_use', tool: 'run_shell_command' },
  { kind: 'tool_result', tool: 'run_shell_command', text: 'Command exited with code 1', is_error: true },
  { kind: 'error', text: 'Loop detection: the same tool call was repeated' },
  { kind: 'tool_use', tool: 'replace' },
  { kind: 'tool_result', tool: 'replace' },
  { kind: 'message', text: 'Fixed the eviction order; ' },
  { kind: 'message', text: 'the cache tests pass now.' },
  {
    kind: 'result',
    text: 'Fixed the eviction order; the cache tests pass now.',
    tokens: { input: 30877, output: 412, cache_read: 21263 },
  },
];

describe('agent event normalisation of recorded streams', () => {
  it('turns the Claude Code stream-json sample into exact events, raw objects kept', () => {
    const events = parseAll('claude', [fixture('claude')]);
    expect(summary(events)).toEqual(CLAUDE_EVENTS);
    const lines = fixture('claude').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(events[0]!.raw).toEqual(lines[1]);
    // Two blocks on one line: both events carry that line.
    expect(events[3]!.raw).toEqual(lines[4]);
    expect(events[4]!.raw).toEqual(lines[4]);
    expect(events.at(-1)!.raw).toEqual(lines.at(-1));
  });

  it('turns the Codex exec --json sample into exact events', () => {
    expect(summary(parseAll('codex', [fixture('codex')]))).toEqual(CODEX_EVENTS);
  });

  it('turns the Gemini CLI stream-json sample into exact events', () => {
    expect(summary(parseAll('gemini', [fixture('gemini')]))).toEqual(GEMINI_EVENTS);
  });

  it('gives the same events when the stream arrives through a terminal in small, line-splitting chunks', () => {
    for (const format of ['claude', 'codex', 'gemini'] as const) {
      const whole = parseAll(format, [fixture(format)]);
      const chopped = parseAll(format, chop(onTerminal(fixture(format))));
      expect(chopped).toEqual(whole);
    }
  });

  it('ignores banners, colour, spinners, blank lines and broken JSON between events', () => {
    const lines = fixture('claude').trimEnd().split('\n');
    const noisy = [
      '\x1b[36m╭──── claude ────╮\x1b[0m',
      '',
      ...lines.slice(0, 3),
      '\r⠋ Thinking…\r\x1b[2K' + lines[3],
      '{"type":"assistant","message":{"content":[{"type":"text","text":"cut off',
      'not json at all {"type":"x"}',
      '[1,2,3]',
      '{"no_type":true}',
      `\x1b[2m${lines[4]}\x1b[0m`,
      ...lines.slice(5),
    ].join('\n');
    const events = parseAll('claude', chop(onTerminal(noisy), 3));
    expect(summary(events)).toEqual(CLAUDE_EVENTS);
  });

  it('parses a last line that has no newline when the output ends', () => {
    const text = fixture('codex').trimEnd();
    const parser = createEventParser('codex');
    const before = parser.push(text);
    expect(before.map((e) => e.kind)).not.toContain('result');
    expect(parser.end().map((e) => e.kind)).toEqual(['result']);
  });

  it('drops a line longer than the limit without keeping it in memory, and carries on after it', () => {
    const lines = new JsonLines(100);
    const got = [
      ...lines.push('{"type":"a","pad":"' + 'x'.repeat(80)),
      ...lines.push('x'.repeat(80) + '"}\n{"type":"b"}\n'),
    ];
    expect(got).toEqual([{ type: 'b' }]);
  });

  it('reports nothing for format none', () => {
    expect(parseAll('none', [fixture('claude')])).toEqual([]);
  });
});

describe('agent events that ask for input', () => {
  it('maps Claude\'s AskUserQuestion tool call to awaiting_input with the question', () => {
    const line = JSON.stringify({
      type: 'assistant',
      message: { content: [{ type: 'tool_use', id: 'toolu_1', name: 'AskUserQuestion', input: { questions: [{ question: 'Which database?', header: 'DB', options: [], multiSelect: false }] } }] },
    });
    expect(summary(parseAll('claude', [line + '\n']))).toEqual([{ kind: 'awaiting_input', tool: 'AskUserQuestion', text: 'Which database?' }]);
  });

  it('maps Codex\'s request_user_input and a failed turn', () => {
    const lines = [
      { type: 'request_user_input', id: 'turn_1', call_id: 'call_1', questions: [{ id: 'q1', header: 'Scope', question: 'Touch the tests too?' }] },
      { type: 'turn.failed', error: { message: 'model response stream ended unexpectedly' } },
    ].map((l) => JSON.stringify(l) + '\n');
    expect(summary(parseAll('codex', lines))).toEqual([
      { kind: 'awaiting_input', text: 'Touch the tests too?' },
      { kind: 'result', text: 'model response stream ended unexpectedly', is_error: true },
    ]);
  });

  it('marks a Gemini result with status error', () => {
    const line = JSON.stringify({ type: 'result', timestamp: 't', status: 'error', error: { type: 'FatalTurnLimitedError', message: 'Reached max session turns' }, stats: { total_tokens: 10, input_tokens: 8, output_tokens: 2, cached: 0, input: 8, duration_ms: 5, tool_calls: 0 } });
    expect(summary(parseAll('gemini', [line + '\n']))).toEqual([
      { kind: 'result', text: 'Reached max session turns', tokens: { input: 8, output: 2, cache_read: 0 }, is_error: true },
    ]);
  });
});

describe('agent totals', () => {
  it('counts events by kind and sums tokens and cost exactly, per worker and per run', () => {
    const claude = totalsOf(parseAll('claude', [fixture('claude')]));
    const codex = totalsOf(parseAll('codex', [fixture('codex')]));
    const gemini = totalsOf(parseAll('gemini', [fixture('gemini')]));
    expect(claude).toEqual({
      events: { message: 3, tool_use: 3, tool_result: 3, awaiting_input: 0, result: 1, error: 0 },
      tokens: { input: 22, output: 226, cache_read: 50996, cache_write: 2314 },
      cost_usd: 0.0427315,
    });
    expect(codex).toEqual({
      events: { message: 1, tool_use: 3, tool_result: 4, awaiting_input: 0, result: 1, error: 1 },
      tokens: { input: 24763, output: 122, cache_read: 24448, cache_write: 0 },
      cost_usd: 0,
    });
    expect(gemini.events).toEqual({ message: 4, tool_use: 3, tool_result: 3, awaiting_input: 0, result: 1, error: 1 });
    expect(sumTotals([claude, codex, gemini])).toEqual({
      events: { message: 8, tool_use: 9, tool_result: 10, awaiting_input: 0, result: 3, error: 2 },
      tokens: { input: 22 + 24763 + 30877, output: 226 + 122 + 412, cache_read: 50996 + 24448 + 21263, cache_write: 2314 },
      cost_usd: 0.0427315,
    });
  });

  it('adds costs without floating-point dust', () => {
    const t = emptyTotals();
    for (let i = 0; i < 3; i++) addEvent(t, { kind: 'result', cost_usd: 0.1 });
    expect(t.cost_usd).toBe(0.3);
  });
});

describe('agent_event frames', () => {
  it('are valid protocol frames, as are worker_exited and run_finished carrying totals', () => {
    const events = parseAll('claude', [fixture('claude')]);
    let seq = 0;
    const stamp = <T extends object>(body: T) => ({ v: PROTOCOL_VERSION, seq: ++seq, ts: 1764000000000, ...body });
    for (const e of events) expect(Value.Errors(AnyFrame, stamp(agentEventBody({ worker: 'w1', task: 1, task_id: '1', attempt: 1 }, e))).First()).toBeUndefined();
    const agent = totalsOf(events);
    const exited = stamp({ type: 'worker_exited', worker: 'w1', index: 1, task: 1, task_id: '1', attempt: 1, exit_code: 0, signal: null, reason: 'exit', duration_ms: 5, bytes: 10, agent });
    const finished = stamp({ type: 'run_finished', ok: true, exit_code: 0, reason: 'completed', counts: { total: 1, ok: 1, failed: 0, signal: 0, spawn_error: 0, cancelled: 0, timeout: 0, idle: 0, not_started: 0 }, attempts: 1, failed_tasks: [], not_started: [], slowest: [], duration_ms: 9, agent: sumTotals([agent]) });
    expect(Value.Check(AnyFrame, exited)).toBe(true);
    expect(Value.Check(AnyFrame, finished)).toBe(true);
    expect(Value.Check(AnyFrame, stamp({ type: 'agent_event', worker: 'w1', kind: 'bogus', raw: {} }))).toBe(false);
  });
});
