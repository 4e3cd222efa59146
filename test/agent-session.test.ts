// The built-in agent's event mode, on real terminals: through relay fanout, and under a
// terminal relay's session drives (answering its question by typing into it).
import { join } from 'node:path';
import pty from 'node-pty';
import { describe, expect, it } from 'vitest';
import { createEventParser, type NormalisedEvent } from '../src/agents/events/index.js';
import { addEvent, emptyTotals } from '../src/agents/events/totals.js';
import { looksLikePrompt } from '../src/agents/on-input.js';
import { AgentSession } from '../src/agents/session.js';
import type { AgentEvent, FrameBody, WorkerStream } from '../src/frames/types.js';
import { parseFrames, relayAsync, ROOT, run } from './helpers/cli.js';

const AGENT = join(ROOT, 'dist/sim/main.js');
const QUESTION = 'Proceed with the change?';

/** The agent on a pipe (no terminal): the reference its terminal runs must match. */
async function onPipe(args: string[]): Promise<string> {
  return (await run(process.execPath, [AGENT, '--duration', '0', ...args], { env: { NO_COLOR: '1' } })).stdout;
}

function parse(text: string): NormalisedEvent[] {
  const p = createEventParser('sim');
  return [...p.push(text), ...p.end()];
}

interface Terminal {
  term: pty.IPty;
  seen: () => string;
  /** Resolves once the terminal has shown text matching `pattern`. */
  waitFor(pattern: RegExp): Promise<void>;
}

/** The agent in a real terminal (node-pty), with --hang so that it is alive while we read it. */
function inTerminal(args: string[]): Terminal {
  const term = pty.spawn(process.execPath, [AGENT, '--duration', '0', '--hang', ...args], { cols: 120, rows: 40, cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } as Record<string, string> });
  let text = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  term.onData((d) => {
    text += d;
    for (const w of [...waiters]) if (w.pattern.test(text)) waiters.splice(waiters.indexOf(w), 1), w.resolve();
  });
  return {
    term,
    seen: () => text,
    waitFor: (pattern) => new Promise<void>((resolve) => (pattern.test(text) ? resolve() : waiters.push({ pattern, resolve }))),
  };
}

async function stop(t: Terminal): Promise<void> {
  const exited = new Promise<void>((resolve) => t.term.onExit(() => resolve()));
  t.term.kill('SIGKILL');
  await exited;
}

describe('built-in agent, --events mode', () => {
  it('prints the same bytes for the same seed, a Claude-style stream with exact totals', async () => {
    const a = await onPipe(['--events', '--seed', '5', '--tools', '3', '--prompt', 'fix the cache']);
    expect(await onPipe(['--events', '--seed', '5', '--tools', '3', '--prompt', 'fix the cache'])).toBe(a);
    const lines = a.trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; usage?: Record<string, number>; total_cost_usd?: number });
    expect(lines[0]!.type).toBe('system');
    const events = parse(a);
    expect(events.map((e) => e.kind)).toEqual(['session', 'message', 'message', 'tool_use', 'tool_result', 'message', 'tool_use', 'tool_result', 'message', 'tool_use', 'tool_result', 'message', 'result']);
    expect(events[1]!.text).toBe('Working on: fix the cache');
    const last = lines.at(-1)!;
    const totals = events.reduce((t, e) => addEvent(t, e), emptyTotals());
    expect(totals.tokens).toEqual({
      input: last.usage!.input_tokens,
      output: last.usage!.output_tokens,
      cache_read: last.usage!.cache_read_input_tokens,
      cache_write: last.usage!.cache_creation_input_tokens,
      reasoning: 0,
    });
    expect(totals.cost_usd).toBe(last.total_cost_usd);
  });

  it('through relay fanout, each worker\'s stream parses into exactly the events of the same agent on a pipe', async () => {
    const r = await relayAsync(['fanout', '-w', '3', '--progress', 'none', '--', process.execPath, AGENT, '--events', '--duration', '0', '--tools', '4', '--bytes', '20KB', '--seed', '{#}'], { env: { NO_COLOR: '1' } });
    expect(r.status).toBe(0);
    const frames = parseFrames(r.stdout);
    for (const w of [1, 2, 3]) {
      const data = frames.filter((f): f is WorkerStream => f.type === 'worker_stream' && f.worker === `w${w}`).map((f) => f.data).join('');
      expect(data).toContain('\r\n'); // it went through a terminal
      const expected = parse(await onPipe(['--events', '--tools', '4', '--bytes', '20KB', '--seed', String(w)]));
      expect(parse(data)).toEqual(expected);
      expect(expected.filter((e) => e.kind === 'tool_use')).toHaveLength(4);
    }
  });

  it('--ask with --ask-timeout: reports the question, then gives up with an error result and exit 1', async () => {
    const r = await relayAsync(['fanout', '-w', '1', '--progress', 'none', '--', process.execPath, AGENT, '--events', '--ask', '--ask-timeout', '300ms', '--duration', '0'], { env: { NO_COLOR: '1' } });
    const frames = parseFrames(r.stdout);
    const data = frames.filter((f): f is WorkerStream => f.type === 'worker_stream').map((f) => f.data).join('');
    const events = parse(data);
    expect(events.map((e) => e.kind).slice(-3)).toEqual(['awaiting_input', 'tool_result', 'result']);
    expect(events.at(-3)!.text).toBe(QUESTION);
    expect(events.at(-1)!.is_error).toBe(true);
    expect(frames.find((f) => f.type === 'worker_exited')).toMatchObject({ exit_code: 1 });
  });
});

describe('an agent session on a real terminal', () => {
  function session(t: Terminal, onInput: ConstructorParameters<typeof AgentSession>[0]['onInput']) {
    const frames: FrameBody[] = [];
    const failures: string[] = [];
    const s = new AgentSession({
      source: { worker: 'w1', task: 1, task_id: '1', attempt: 1 },
      events: 'sim',
      onInput,
      emit: (body) => frames.push(body),
      write: (data) => t.term.write(data),
      fail: (reason) => failures.push(reason),
    });
    t.term.onData((d) => s.onText(d));
    return { s, frames, failures };
  }
  const events = (frames: FrameBody[]) => frames.filter((f): f is FrameBody<AgentEvent> => f.type === 'agent_event');

  it('answer: types the answer into the terminal; the agent continues and finishes with it', async () => {
    const t = inTerminal(['--events', '--ask', '--tools', '2', '--seed', '9']);
    const { s, frames, failures } = session(t, { policy: 'answer', text: 'yes, go ahead' });
    await t.waitFor(/"type":"result".*\r\n/);
    await stop(t);
    s.end();
    const ev = events(frames);
    const asked = ev.find((e) => e.kind === 'awaiting_input')!;
    expect(asked).toMatchObject({ type: 'agent_event', worker: 'w1', text: QUESTION, tool: 'AskUserQuestion', action: 'answer' });
    expect(JSON.stringify(ev[ev.indexOf(asked) + 1]!.raw)).toContain('User answered: yes, go ahead');
    expect(ev.at(-1)).toMatchObject({ kind: 'result' });
    expect(ev.at(-1)!.is_error).toBeUndefined();
    expect(failures).toEqual([]);
    expect(s.totals.events).toEqual({ message: 4, tool_use: 2, tool_result: 3, awaiting_input: 1, result: 1, error: 0, rate_limit: 0, session: 1, unknown: 0, subagent: 0 });
    // The terminal echoed what was typed: a line that is not JSON, and ignored.
    expect(t.seen()).toContain('yes, go ahead\r\n');
  });

  it('fail: reports the question with action fail and fails the worker', async () => {
    const t = inTerminal(['--events', '--ask', '--tools', '2']);
    const { frames, failures } = session(t, { policy: 'fail' });
    await t.waitFor(/AskUserQuestion.*\r\n/);
    expect(failures).toEqual(['the agent asked for input']);
    expect(events(frames).at(-1)).toMatchObject({ kind: 'awaiting_input', action: 'fail' });
    await stop(t);
  });

  it('wait: reports the question and types nothing; the agent is still waiting', async () => {
    const t = inTerminal(['--events', '--ask', '--tools', '2']);
    const { frames, failures } = session(t, { policy: 'wait' });
    await t.waitFor(/AskUserQuestion.*\r\n/);
    expect(events(frames).at(-1)).toMatchObject({ kind: 'awaiting_input', action: 'wait' });
    expect(failures).toEqual([]);
    // Typing now (as a person would) lets it finish: it really was waiting for a line.
    t.term.write('later\r');
    await t.waitFor(/User answered: later/);
    await stop(t);
  });

  it('inferred: an idle terminal agent at a [y/N] prompt is reported as awaiting input and answered', async () => {
    const t = inTerminal(['--ask', '--tools', '2', '--seed', '4']);
    const { s, frames } = session(t, { policy: 'answer', text: 'y' });
    await t.waitFor(/\[y\/N\] $/);
    expect(looksLikePrompt(t.seen())).toBe(true);
    // What the fanout's idle detector would do after --idle-timeout of silence:
    expect(s.onIdle(t.seen())).toEqual({ action: 'answer', input: 'y\r' });
    await t.waitFor(/→ answer: y/);
    await t.waitFor(/Done: 2 tool calls.*\r\n/);
    expect(looksLikePrompt(t.seen())).toBe(false);
    await stop(t);
    expect(events(frames)).toEqual([
      { type: 'agent_event', worker: 'w1', task: 1, task_id: '1', attempt: 1, kind: 'awaiting_input', raw: { screen_tail: expect.stringContaining('[y/N] ') }, inferred: true, action: 'answer' },
    ]);
  });
});
