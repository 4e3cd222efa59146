import { describe, expect, it } from 'vitest';
import { lastLine } from '../src/progress/last-line.js';
import { parseFrames, relayAsync } from './helpers/cli.js';
import { fanoutOnTerminal, gate, type Seen } from './helpers/terminal.js';

/** A worker's row as it ends: icon, id, time, size. */
const ROW = /^\S w(\d+) +[\d.]+s +[\d.]+ k?B\b/;

/**
 * What every screen must hold: no row wrapped by the terminal (only the plain summary lines
 * below the rows may be), no worker's row twice anywhere in the scrollback, the summary line.
 */
function expectTruthfulScreen(seen: Seen): void {
  // A line the terminal wrapped continues a line above it: only a summary line may.
  seen.wrapped.forEach((wrapped, y) => {
    let head = y;
    while (head > 0 && seen.wrapped[head]) head--;
    if (wrapped) expect(seen.lines[head], seen.lines.join('\n')).toMatch(/^relay: /);
  });
  const ids = seen.lines.map((l) => ROW.exec(l)?.[1]).filter((id) => id !== undefined);
  expect(new Set(ids).size, seen.lines.join('\n')).toBe(ids.length);
  expect(seen.lines.join('\n')).toMatch(/^relay: run completed in [\d.]+s: /m);
}

describe('progress', () => {
  it('last line: resolves spinner redraws, strips ANSI, ignores the trailing newline', () => {
    expect(lastLine('\x1b[33m⠋\x1b[0m Thinking…\r\x1b[33m⠙\x1b[0m Thinking…\r\x1b[2K')).toBe('⠙ Thinking…');
    expect(lastLine('first\r\nsecond line\r\n')).toBe('second line');
    expect(lastLine('x'.repeat(100), 10)).toBe(`${'x'.repeat(9)}…`);
  });

  it('draws a live listr2 row per worker on a terminal stderr while stdout carries only frames', async () => {
    const g = gate();
    const seen = await fanoutOnTerminal(`-w 3 -- sh -c 'echo "step one of {#}"; ${g.wait}; echo "final words {#}"; exit $(({#} - 1))'`, { cols: 120, rows: 30, peek: /step one of 1[^]*step one of 2[^]*step one of 3/, gate: g.path });
    const { frames, code } = seen;
    expect(code).toBe(1);
    expect(seen.peeked!.join('\n')).toContain('step one of 2');
    const text = seen.lines.join('\n');
    for (const id of ['w1', 'w2', 'w3']) expect(text).toContain(id);
    expect(text).toMatch(/✔.*w1/);
    expect(text).toMatch(/✖.*w2.*exit 1/);
    expect(text).not.toContain('"type"'); // no frame leaked onto the terminal
    expect(parseFrames(frames).at(-1)).toMatchObject({ type: 'run_finished', counts: { ok: 1, failed: 2 } });
  });

  // Real terminals of several sizes, stdout a pipe (how relay is meant to be used).
  // Workers wait (for a file) until the test has looked at the live screen.
  const quick = (wait: string) => `sh -c 'echo "hello from {#}, with a line long enough to need cutting at forty columns"; ${wait}; exit $(({#} % 4 == 0))'`;
  it.each([
    { workers: 1, cols: 40, rows: 20 },
    { workers: 9, cols: 60, rows: 24 },
    { workers: 9, cols: 200, rows: 50 },
    { workers: 40, cols: 120, rows: 50 },
  ])('$workers workers on a $cols×$rows terminal: a row each, fitted, never wrapped, each once', async ({ workers, cols, rows }) => {
    const g = gate();
    const seen = await fanoutOnTerminal(`-w ${workers} -- ${quick(g.wait)}`, { cols, rows, peek: /hello from/, gate: g.path });
    expect(seen.code).toBe(workers >= 4 ? 1 : 0);
    expectTruthfulScreen(seen);
    // Every worker's final row, once, with how it ended.
    for (let i = 1; i <= workers; i++) expect(seen.lines.filter((l) => ROW.exec(l)?.[1] === String(i)), `w${i}`).toHaveLength(1);
    expect(seen.lines.join('\n')).toMatch(workers >= 4 ? /^✖ w4 .*exit 1$/m : /^✔ w1 .*exited 0$/m);
    // While running, rows show the last line, cut to the width with "…" when it does not fit.
    const live = seen.peeked!.find((l) => l.includes('hello from'))!;
    if (cols < 100) expect(live).toMatch(/…$/);
    expect(live.length).toBeLessThanOrEqual(cols);
  });

  it.each([
    { workers: 40, cols: 80, rows: 20 },
    { workers: 300, cols: 200, rows: 30 },
  ])('$workers workers on a $cols×$rows terminal: running rows that fit, the rest summed up in one line', async ({ workers, cols, rows }) => {
    const g = gate();
    const seen = await fanoutOnTerminal(`-w ${workers} -- ${quick(g.wait)}`, { cols, rows, peek: /hello from[^]*… \d+ more: \d+ running/, gate: g.path });
    expect(seen.code).toBe(1);
    expectTruthfulScreen(seen);
    const screen = seen.peeked!;
    expect(screen.filter((l) => l !== '').length).toBeLessThan(rows);
    expect(screen.join('\n')).toMatch(new RegExp(`^. ${workers} workers: \\d+ running, \\d+ done, \\d+ failed`, 'm'));
    expect(screen.join('\n')).toMatch(/^. … \d+ more: \d+ running, \d+ done, \d+ failed/m);
    // The final screen: the totals once, then the summary.
    expect(seen.lines.join('\n')).toMatch(new RegExp(`^✖ ${workers} workers: 0 running, ${workers - Math.floor(workers / 4)} done, ${Math.floor(workers / 4)} failed`, 'm'));
    expect(seen.lines.filter((l) => /^. … \d+ more: /.test(l))).toEqual([]);
    expect(parseFrames(seen.frames).filter((f) => f.type === 'worker_exited')).toHaveLength(workers);
  }, 180_000);

  it('a terminal narrowed while rows are live: no row left behind, none wrapped', async () => {
    const g = gate();
    const seen = await fanoutOnTerminal(`-w 9 -- ${quick(g.wait)}`, { cols: 120, rows: 30, resize: { when: /hello from/, cols: 50, rows: 30 }, peek: /hello from[^]*hello from[^]*hello from/, gate: g.path });
    expectTruthfulScreen(seen);
    for (let i = 1; i <= 9; i++) expect(seen.lines.filter((l) => ROW.exec(l)?.[1] === String(i))).toHaveLength(1);
  });

  it('with a task list: a tasks row above the slot rows, the task on each row, and the summary below when done', async () => {
    const g = gate();
    const seen = await fanoutOnTerminal(`--task alpha --task beta --task gamma -w 2 -- sh -c 'echo "doing $1"; ${g.wait}; [ "$1" != beta ]' _ {}`, { cols: 120, rows: 30, peek: /doing/, gate: g.path });
    expect(seen.code).toBe(1);
    expect(seen.peeked!.join('\n')).toMatch(/3 tasks: \d+ running, \d+ done, \d+ failed, \d+ queued/);
    expect(seen.peeked!.join('\n')).toMatch(/w\d .*#\d .*doing (alpha|beta|gamma)/);
    expectTruthfulScreen(seen);
    const text = seen.lines.join('\n');
    expect(text).toMatch(/relay: run completed in [\d.]+s: 3 tasks: 2 ok, 1 failed/);
    expect(text).toMatch(/relay: failed: #2 \(exit 1\)/);
    expect(parseFrames(seen.frames).at(-1)).toMatchObject({ type: 'run_finished', counts: { ok: 2, failed: 1 } });
  });
});

describe('plain progress (CI): failures in the log', () => {
  // 30 numbered lines, coloured, with a redrawn progress line in the middle; worker 2 fails.
  const noisy = ['sh', '-c', 'for i in $(seq 1 30); do printf "\\033[1;31mline %s of {#}\\033[0m\\r\\n" $i; [ $i = 15 ] && printf "50%%\\r80%%\\r\\033[2K100%%\\r\\n"; done; exit $(({#} == 2))'];

  it('prints the last 20 lines of each failed task as plain text, and nothing of the others', async () => {
    const r = await relayAsync(['fanout', '-w', '3', '--', ...noisy], { env: { CI: 'true' } });
    expect(r.status).toBe(1);
    const tail = r.stderr.split('\n').filter((l) => l.startsWith('w2 | '));
    // The redrawn progress line is one line, as it finally showed.
    const numbered = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `w2 | line ${from + i} of 2`);
    expect(tail).toEqual([...numbered(12, 15), 'w2 | 100%', ...numbered(16, 30)]);
    expect(r.stderr).toMatch(/^relay: w2 failed: exit 1 after [\d.]+s \(\d+ B\)\nrelay: w2 last 20 lines of its output:\n/m);
    expect(r.stderr).not.toMatch(/^w[13] \| /m);
    expect(r.stderr).not.toContain('\x1b');
  });

  it('--failure-lines N sets how many (0: none); a cancelled task is no failure and shows none', async () => {
    const three = await relayAsync(['fanout', '-w', '3', '--failure-lines', '3', '--', ...noisy], { env: { CI: 'true' } });
    expect(three.stderr.split('\n').filter((l) => l.startsWith('w2 | '))).toEqual(['w2 | line 28 of 2', 'w2 | line 29 of 2', 'w2 | line 30 of 2']);
    const none = await relayAsync(['fanout', '-w', '3', '--failure-lines', '0', '--', ...noisy], { env: { CI: 'true' } });
    expect(none.stderr).not.toMatch(/ \| /);
    // w1 fails at once; w2 is stopped by --fail-fast: cancelled, in words, and without a tail.
    const g = gate();
    const fast = await relayAsync(['fanout', '-w', '2', '--fail-fast', '--', 'sh', '-c', `echo out {#}; [ {#} = 1 ] && { ${g.wait}; exit 3; }; touch ${g.path}; sleep 30`], { env: { CI: 'true' } });
    expect(fast.stderr).toMatch(/^relay: w2 cancelled after /m);
    expect(fast.stderr).toMatch(/^w1 \| out 1$/m);
    expect(fast.stderr).not.toMatch(/^w2 \| /m);
    expect(fast.stderr).toMatch(/^relay: run stopped after the first failure \([\d.]+s\): 2 workers: 1 failed, 1 cancelled$/m);
  });

  it('--tag: every line of every worker as it comes, after "wN | ", the unfinished last line included', async () => {
    const r = await relayAsync(['fanout', '-w', '2', '--tag', '--', 'sh', '-c', 'printf "\\033[32mone {#}\\033[0m\\r\\ntwo {#}\\r\\nno newline {#}"'], { env: { CI: 'true' } });
    expect(r.status).toBe(0);
    for (const w of [1, 2]) {
      expect(r.stderr.split('\n').filter((l) => l.startsWith(`w${w} | `))).toEqual([`w${w} | one ${w}`, `w${w} | two ${w}`, `w${w} | no newline ${w}`]);
    }
    parseFrames(r.stdout);
  });

  it('--tag on a terminal stderr means plain lines, not live rows', async () => {
    const seen = await fanoutOnTerminal(`-w 2 --tag -- sh -c 'echo tagged {#}'`, { cols: 80, rows: 24 });
    expect(seen.lines).toContain('w1 | tagged 1');
    expect(seen.lines.filter((l) => /^\S w\d /.test(l))).toEqual([]);
  });
});
