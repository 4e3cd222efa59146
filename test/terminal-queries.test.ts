// The terminal's answers to queries (src/pty/queries.ts) and its cursor model (src/pty/cursor.ts),
// the latter checked against a real emulator (@xterm/headless) on a generated corpus.
import xterm from '@xterm/headless';
import { describe, expect, it } from 'vitest';
import { CursorTracker } from '../src/pty/cursor.js';
import { TerminalQueries } from '../src/pty/queries.js';
import { VERSION } from '../src/version.js';
import { parseFrames, relayAsync } from './helpers/cli.js';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');

/** Feeds `text` in pieces cut at `cuts`; returns every answer, in order. */
function answers(text: string, cuts: number[] = [], size = { cols: 80, rows: 24 }): string {
  const q = new TerminalQueries(size.cols, size.rows);
  const data = b(text);
  let out = '';
  let from = 0;
  for (const cut of [...cuts, data.length]) {
    out += q.feed(data.subarray(from, cut));
    from = cut;
  }
  return out;
}

/** Small deterministic PRNG (mulberry32), so that a failing case can be replayed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('terminal queries', () => {
  const cases: [string, string, string][] = [
    ['cursor position at the start', '\x1b[6n', '\x1b[1;1R'],
    ['cursor position after text', 'hello\r\nworld!\x1b[6n', '\x1b[2;7R'],
    ['DECXCPR', 'ab\x1b[?6n', '\x1b[?1;3;1R'],
    ['device status', '\x1b[5n', '\x1b[0n'],
    ['primary DA', '\x1b[c', '\x1b[?1;2c'],
    ['primary DA with 0', '\x1b[0c', '\x1b[?1;2c'],
    ['secondary DA', '\x1b[>c', '\x1b[>0;276;0c'],
    ['secondary DA with 0', '\x1b[>0c', '\x1b[>0;276;0c'],
    ['kitty keyboard flags', '\x1b[?u', '\x1b[?0u'],
    ['text area size', '\x1b[18t', '\x1b[8;24;80t'],
    ['screen size', '\x1b[19t', '\x1b[9;24;80t'],
    ['XTVERSION', '\x1b[>0q', `\x1bP>|relay(${VERSION})\x1b\\`],
    ['DECRQM private mode', '\x1b[?2026$p', '\x1b[?2026;0$y'],
    ['DECRQM ANSI mode', '\x1b[4$p', '\x1b[4;0$y'],
    ['background colour, ST', '\x1b]11;?\x1b\\', '\x1b]11;rgb:0000/0000/0000\x1b\\'],
    ['background colour, BEL', '\x1b]11;?\x07', '\x1b]11;rgb:0000/0000/0000\x07'],
    ['foreground colour', '\x1b]10;?\x07', '\x1b]10;rgb:ffff/ffff/ffff\x07'],
    ['cursor colour', '\x1b]12;?\x1b\\', '\x1b]12;rgb:ffff/ffff/ffff\x1b\\'],
    ['foreground and background at once', '\x1b]10;?;?\x07', '\x1b]10;rgb:ffff/ffff/ffff\x07\x1b]11;rgb:0000/0000/0000\x07'],
    ['cursor on the last column after filling a line', `${'x'.repeat(80)}\x1b[6n`, '\x1b[1;80R'],
    ['cursor after a wide character', '漢字\x1b[6n', '\x1b[1;5R'],
    ['cursor after absolute positioning', '\x1b[10;20Hab\x1b[6n', '\x1b[10;22R'],
    ['cursor in origin mode, relative to the top margin', '\x1b[5;20r\x1b[?6h\x1b[3;4H\x1b[6n', '\x1b[3;4R'],
    ['cursor restored after the alternate screen', 'ab\x1b[?1049h\x1b[20;1Hx\x1b[?1049l\x1b[6n', '\x1b[1;3R'],
    ['several queries in one chunk, in order', '\x1b[c\x1b]11;?\x07x\x1b[6n', '\x1b[?1;2c\x1b]11;rgb:0000/0000/0000\x07\x1b[1;2R'],
  ];
  it.each(cases)('%s', (_, query, answer) => {
    expect(answers(query)).toBe(answer);
  });

  it('answers a query cut anywhere between chunks, including one byte at a time', () => {
    const text = 'prompt> \x1b[32mok\x1b[0m\x1b]11;?\x1b\\\x1b[6n\x1b[?u\x1b[18t';
    const whole = answers(text);
    expect(whole).toBe('\x1b]11;rgb:0000/0000/0000\x1b\\\x1b[1;11R\x1b[?0u\x1b[8;24;80t');
    const n = b(text).length;
    for (let cut = 1; cut < n; cut++) expect(answers(text, [cut])).toBe(whole);
    expect(answers(text, Array.from({ length: n - 1 }, (_, i) => i + 1))).toBe(whole);
  });

  it('answers nothing to what is not a query', () => {
    const corpus = [
      'plain text\r\n',
      '\x1b[31mred\x1b[0m',
      '\x1b[2J\x1b[H\x1b[?1049h\x1b[?25l',
      '\x1b]0;title\x07\x1b]8;;https://example.com\x1b\\link\x1b]8;;\x1b\\',
      '\x1b]110\x07\x1b]111\x1b\\', // colour resets, not queries
      '\x1b]11;#000000\x07', // setting a colour
      '\x1bP1$r0m\x1b\\', // a DCS
      '\x1b[6', // cut off, never finished
      '\x1b[>4;1m\x1b[?1u\x1b[>1u\x1b[<u', // kitty: set and push/pop flags
      '\x1b[3 q\x1b[8;40;120t', // cursor style; a resize request
      '\x1b[6\x18n', // cancelled by CAN
      '\x1b', // a lone ESC at the end
    ];
    for (const text of corpus) expect(answers(text), JSON.stringify(text)).toBe('');
  });

  it('uses the current size after a resize', () => {
    const q = new TerminalQueries(80, 24);
    q.resize(132, 50);
    expect(q.feed(b('\x1b[18t'))).toBe('\x1b[8;50;132t');
  });

  it('knows the cursor of a program that asks after more output than it keeps', () => {
    // 5000 lines before the first query: the cursor is on the last row, after the prompt.
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i}\r\n`).join('');
    expect(answers(`${lines}$ \x1b[6n`)).toBe('\x1b[24;3R');
    const cuts = Array.from({ length: 40 }, (_, i) => (i + 1) * 1000);
    expect(answers(`${lines}$ \x1b[6n`, cuts)).toBe('\x1b[24;3R');
  });
});

/**
 * Pieces of terminal output that move the cursor, or look as if they might. Two things are left
 * out where xterm.js departs from xterm (the tracker follows xterm): origin mode (xterm.js moves
 * the row on a column move) and a cursor restored after the screen scrolled (xterm.js counts the
 * scrolled lines); saving and restoring come as blocks that do not scroll instead.
 */
function piece(r: () => number, depth = 0): string {
  const n = () => Math.floor(r() * 30);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const pieces = [
    () => 'x'.repeat(n() * 3),
    () => 'word ',
    () => '漢字',
    () => 'e\u0301',
    () => '─┼─',
    () => '\r',
    () => '\n',
    () => '\r\n',
    () => '\b',
    () => '\t',
    () => `\x1b[${pick(['', '1', '31', '1;32', '38;5;208'])}m`,
    () => `\x1b[${n()};${n() * 3}H`,
    () => `\x1b[${pick(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'd', '`', 'a', 'e', 'b'].map((f) => `${n()}${f}`))}`,
    () => `\x1b[${n()};${n() + 5}r`,
    () => '\x1b[r',
    () => pick(['\x1bM', '\x1bD', '\x1bE', '\x1b[?7l', '\x1b[?7h']),
    () => pick(['\x1b[K', '\x1b[2J', '\x1b[J', '\x1b[2K', `\x1b[${n()}L`, `\x1b[${n()}M`, `\x1b[${n()}@`, `\x1b[${n()}P`, `\x1b[${n()}X`]),
    () => pick(['\x1b]0;a title\x07', '\x1b]2;title\x1b\\', '\x1bP+q544e\x1b\\', '\x1b(B', '\x1b(0q\x1b(B', '\x1b[3 q', '\x1b[?2026$p']),
    () => `${pick(['\x1b7', '\x1b[s'])}\x1b[${n() % 12};${n() % 20}Hsaved${pick(['\x1b8', '\x1b[u'])}`,
  ];
  if (depth === 0) pieces.push(() => `\x1b[?1049h${Array.from({ length: 8 }, () => piece(r, 1)).join('')}\x1b[?1049l`);
  return pick(pieces)();
}

describe('cursor tracker', () => {
  it('agrees with xterm.js on the cursor position after 300 generated streams', async () => {
    const size = { cols: 40, rows: 12 };
    let disagreements = 0;
    const firstFailures: string[] = [];
    for (let seed = 1; seed <= 300; seed++) {
      const r = rng(seed);
      const text = Array.from({ length: 60 }, () => piece(r)).join('');
      const term = new xterm.Terminal({ ...size, allowProposedApi: true });
      await new Promise<void>((resolve) => term.write(text, resolve));
      const expected = { row: term.buffer.active.cursorY, col: Math.min(term.buffer.active.cursorX, size.cols - 1) };
      term.dispose();
      const tracker = new CursorTracker(size.cols, size.rows);
      const data = b(text);
      const cut = Math.floor(r() * data.length);
      tracker.write(data, 0, cut);
      tracker.write(data, cut);
      const got = { row: tracker.row, col: Math.min(tracker.col, size.cols - 1) };
      if (got.row !== expected.row || got.col !== expected.col) {
        disagreements++;
        if (firstFailures.length < 3) firstFailures.push(`seed ${seed}: ${JSON.stringify(got)} vs xterm ${JSON.stringify(expected)}`);
      }
    }
    expect(firstFailures).toEqual([]);
    expect(disagreements).toBe(0);
  });
});

/** Runs a bash script in a worker's terminal through the built CLI: its transcript and exit code. */
async function inTerminal(script: string, args: string[] = []): Promise<{ output: string; exitCode: number | null | undefined }> {
  const r = await relayAsync(['fanout', '-w', '1', '--progress', 'none', ...args, '--', 'bash', '-c', script], { timeout: 30_000 });
  const frames = parseFrames(r.stdout);
  const output = frames.flatMap((f) => (f.type === 'worker_stream' ? [f.data] : [])).join('');
  const exited = frames.find((f) => f.type === 'worker_exited');
  return { output, exitCode: exited?.type === 'worker_exited' ? exited.exit_code : undefined };
}

/**
 * Asks `query` the way a TUI does (no echo, no line editing), reads the answer up to `end` (a bash
 * word), and prints it between <> without its leading ESC. Exits 3 when no answer comes in 10 s.
 */
const ask = (query: string, end: string): string => `
  printf '${query}'
  IFS= read -r -t 10 -d ${end} reply || { echo "no answer to ${query}"; exit 3; }
  printf '\\n<%s>\\n' "\${reply#?}"`;

describe('terminal queries from real programs (bash in a relay terminal)', () => {
  it('answers the cursor position, device attributes, colours, the keyboard protocol and the size', { timeout: 300_000 }, async () => {
    const checks: [string, string, string][] = [
      ['\\033[6n', 'R', '<[3;6>'], // after "ready" on the third row
      ['\\033[c', 'c', '<[?1;2>'],
      ['\\033[>c', 'c', '<[>0;276;0>'],
      ['\\033]11;?\\007', "$'\\a'", '<]11;rgb:0000/0000/0000>'],
      ['\\033]10;?\\033\\\\', "'\\'", '<]10;rgb:ffff/ffff/ffff\x1b>'],
      ['\\033[?u', 'u', '<[?0>'],
      ['\\033[18t', 't', '<[8;30;100>'],
      ["ab\\033['; printf '6n", 'R', '<[17;3>'], // one query in two writes, seven answers (two lines each) later
    ];
    const script = ["stty -echo -icanon min 1 time 0; printf 'line one\\nline two\\nready'", ...checks.map(([query, end]) => ask(query, end))].join('\n');
    const r = await inTerminal(script, ['--cols', '100', '--rows', '30']);
    for (const [, , answer] of checks) expect(r.output).toContain(answer);
    expect(r.exitCode).toBe(0);
  });

  it('answers a query that straddles a 4 KB read, after more output than one read', { timeout: 300_000 }, async () => {
    const script = `
      stty -echo -icanon min 1 time 0
      for n in 4093 4094 4095 4096 8190 20000; do
        printf '\\033[H\\033[2J%0*d\\033[6n' $n 0
        IFS= read -r -t 10 -d R reply || { echo "no answer"; exit 3; }
        printf '\\n<%s %s>\\n' $n "\${reply#?}"
      done`;
    const r = await inTerminal(script, ['--cols', '80', '--rows', '24']);
    // The last row; the column after n characters (on the last one, with a wrap pending, when n fills the row).
    for (const n of [4093, 4094, 4095, 4096, 8190, 20000]) expect(r.output).toContain(`<${n} [24;${n % 80 === 0 ? 80 : (n % 80) + 1}>`);
    expect(r.exitCode).toBe(0);
  });
});
