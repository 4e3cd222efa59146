import { describe, expect, it } from 'vitest';
import { LineAssembler, toLines } from '../src/lines/assembler.js';
import { withLines, resolveLineMode } from '../src/lines/line-mode.js';
import type { FrameBody } from '../src/frames/types.js';
import { fanout, type Frame } from '../src/index.js';
import { checkFrame, parseFrames, relayAsync } from './helpers/cli.js';

const lines = (frames: Frame[], worker = 'w1'): string[] =>
  frames.flatMap((f) => (f.type === 'worker_line' && f.worker === worker ? [f.text] : []));

describe('line assembler', () => {
  it('emits one line per newline, treating the terminal\'s \\r\\n as one newline and a lone \\n as one too', () => {
    const a = new LineAssembler();
    expect(a.push('one\r\ntwo\nthr')).toEqual(['one', 'two']);
    expect(a.push('ee\r\n\r\n')).toEqual(['three', '']);
    expect(a.flush()).toBeUndefined();
  });

  it('resolves a spinner redrawn 200 times with \\r to its final state, and to nothing when it erased itself', () => {
    const frames = Array.from({ length: 200 }, (_, i) => `\r\x1b[33m${'⠋⠙⠹⠸'[i % 4]}\x1b[0m Thinking…`).join('');
    expect(toLines(frames + '\r\n')).toEqual(['⠸ Thinking…']);
    expect(toLines(`${frames}\r\x1b[2K`)).toEqual([]);
    expect(toLines(`${frames}\r\x1b[2KThe answer is 42.\r\n`)).toEqual(['The answer is 42.']);
    expect(toLines(`${frames}\r\x1b[2K\r\n`)).toEqual(['']);
  });

  it('overwrites like a terminal: shorter redraws leave the end of the longer text, erase-in-line and backspace apply', () => {
    expect(toLines('Downloading 100%\rDone\r\n')).toEqual(['Doneloading 100%']);
    expect(toLines('Downloading 100%\rDone\x1b[K\r\n')).toEqual(['Done']);
    expect(toLines('abcdef\x1b[3D\x1b[1KX\r\n')).toEqual(['   Xef']);
    expect(toLines('abc\b\bZ\r\n')).toEqual(['aZc']);
    expect(toLines('abc\x1b[10Gx\x1b[2Dy\r\n')).toEqual(['abc     yx']);
  });

  it('strips colours, titles, hyperlinks and invisible controls, even when a sequence is split across chunks', () => {
    const a = new LineAssembler();
    expect(a.push('\x1b]0;title\x07\x1b[1;3')).toEqual([]);
    expect(a.push('2mred\x1b[0m \x1b]8;;https://x.y\x1b\\link\x1b]8;;\x1b\\\x07\x00 done\x1b')).toEqual([]);
    expect(a.push('[0m\r\n')).toEqual(['red link done']);
  });

  it('splits a line longer than maxLength into pieces of at most maxLength, and removes trailing blanks', () => {
    expect(toLines('abcdefghij\r\n', { maxLength: 4 })).toEqual(['abcd', 'efgh', 'ij']);
    expect(toLines('x'.repeat(10_000)).map((l) => l.length)).toEqual([4096, 4096, 1808]);
    expect(toLines('trailing   \r\n')).toEqual(['trailing']);
  });
});

describe('line mode (worker_line frames)', () => {
  function harness(stream = true) {
    const out: FrameBody[] = [];
    const timers: { fn: () => void; ms: number; cleared: boolean }[] = [];
    const emit = withLines((b) => out.push(b), { ...resolveLineMode(true, stream)! }, {
      set: (fn, ms) => (timers.push({ fn, ms, cleared: false }), timers.at(-1)),
      clear: (t) => ((t as { cleared: boolean }).cleared = true),
    });
    const live = () => timers.filter((t) => !t.cleared);
    return { out, emit, live };
  }
  const attempt = { task: 3, task_id: 'fix-login', attempt: 2 };
  const data = (d: string): FrameBody => ({ type: 'worker_stream', worker: 'w1', data: d, ...attempt });
  const exited: FrameBody = { type: 'worker_exited', worker: 'w1', index: 1, exit_code: 0, signal: null, reason: 'exit', duration_ms: 1, bytes: 1, ...attempt };

  it('emits an unfinished line after the quiet period, restarted by every chunk, and nothing for an erased one', () => {
    const { out, emit, live } = harness();
    emit(data('prompt> '));
    emit(data('\x1b[1m'));
    expect(live()).toHaveLength(1); // the first chunk's timer was replaced
    expect(live()[0]!.ms).toBe(200);
    live()[0]!.fn();
    expect(out.filter((b) => b.type === 'worker_line')).toEqual([{ type: 'worker_line', worker: 'w1', text: 'prompt>', ...attempt }]);
    emit(data('\r⠋ Working\r\x1b[2K'));
    expect(live()).toHaveLength(0); // the line shows nothing: no timer, no line
    emit(data('done\r\n'));
    expect(out.filter((b) => b.type === 'worker_line').map((b) => (b as { text: string }).text)).toEqual(['prompt>', 'done']);
  });

  it('flushes the last unfinished line before worker_exited, and drops worker_stream with stream off', () => {
    const { out, emit, live } = harness(false);
    emit(data('no newline at the end'));
    emit(exited);
    expect(out).toEqual([{ type: 'worker_line', worker: 'w1', text: 'no newline at the end', ...attempt }, exited]);
    expect(live()).toHaveLength(0);
  });

  it('a real worker: a prompt left unfinished for a while comes out after the quiet period, the rest at newlines', async () => {
    const run = fanout({ workers: 1, lines: { quietMs: 50 }, stream: false, command: ['bash', '-c', 'printf "prompt> "; sleep 1; printf "\\r\\033[Kanswered\\n"; printf "tail"'] });
    const frames: Frame[] = [];
    for await (const f of run) frames.push(checkFrame(f, frames.length + 1));
    expect(lines(frames)).toEqual(['prompt>', 'answered', 'tail']);
    expect(frames.some((f) => f.type === 'worker_stream')).toBe(false);
    const own = frames.filter((f) => 'worker' in f).map((f) => f.type);
    expect(own.at(-1)).toBe('worker_exited');
  });

  it('the built-in agent\'s banner, spinner and text come out as these exact lines (spinner resolved away)', async () => {
    const r = await relayAsync(['fanout', '-w', '1', '--lines', '--progress', 'none', '--', process.execPath, 'dist/sim/main.js', '--seed', '7', '--bytes', '120', '--tools', '1', '--duration', '0']);
    expect(r.status).toBe(0);
    const frames = parseFrames(r.stdout);
    const raw = frames.flatMap((f) => (f.type === 'worker_stream' ? [f.data] : [])).join('');
    expect(raw.match(/Thinking…/g)!.length).toBeGreaterThanOrEqual(8); // the spinner really redrew itself
    expect(lines(frames)).toEqual([
      '╭─────────────────────────╮',
      '│ sim-agent · w1 · seed 7 │',
      '╰─────────────────────────╯',
      'a export worker update buffer config. queue cache function retry request refactor',
      '● Bash(src/lib/cache.ts)',
      '  ⎿ 387 lines',
      '',
      'stream error update handler. async refactor test function error update retry module.',
      '✓ Done: 1 tool calls, 120 bytes of text, exit 0',
    ]);
    const types = frames.map((f) => f.type);
    expect(types.lastIndexOf('worker_line')).toBeLessThan(types.indexOf('worker_exited'));
  });

  it('--no-stream drops worker_stream frames and implies --lines; 200 spinner redraws give one line', async () => {
    const script = 'for i in $(seq 200); do printf "\\r%s Thinking…" "$((i % 10))"; done; printf "\\n"';
    const r = await relayAsync(['fanout', '-w', '2', '--no-stream', '--progress', 'none', '--', 'bash', '-c', script]);
    expect(r.status).toBe(0);
    const frames = parseFrames(r.stdout);
    expect(frames.filter((f) => f.type === 'worker_stream')).toHaveLength(0);
    expect(lines(frames, 'w1')).toEqual(['0 Thinking…']);
    expect(lines(frames, 'w2')).toEqual(['0 Thinking…']);
  });
});
