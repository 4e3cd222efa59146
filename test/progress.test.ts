import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pty from 'node-pty';
import stripAnsi from 'strip-ansi';
import { describe, expect, it } from 'vitest';
import { lastLine } from '../src/progress/last-line.js';
import { ROOT, RELAY, parseFrames } from './helpers/cli.js';
import { tmp } from './helpers/temp.js';

/** Runs relay with stderr on a real terminal and stdout in a file; returns both. */
function onTerminal(args: string, env: Record<string, string> = {}): Promise<{ screen: string; frames: string; code: number }> {
  const out = join(tmp('relay-tty-'), 'frames.ndjson');
  const term = pty.spawn('bash', ['-c', `"${process.execPath}" "${RELAY}" fanout ${args} > ${out}`], {
    cols: 120,
    rows: 30,
    cwd: ROOT,
    env: { ...process.env, CI: '', ...env } as Record<string, string>,
  });
  let screen = '';
  term.onData((d) => (screen += d));
  return new Promise((resolve) => term.onExit(({ exitCode }) => resolve({ screen, frames: readFileSync(out, 'utf8'), code: exitCode })));
}

describe('progress', () => {
  it('last line: resolves spinner redraws, strips ANSI, ignores the trailing newline', () => {
    expect(lastLine('\x1b[33m⠋\x1b[0m Thinking…\r\x1b[33m⠙\x1b[0m Thinking…\r\x1b[2K')).toBe('⠙ Thinking…');
    expect(lastLine('first\r\nsecond line\r\n')).toBe('second line');
    expect(lastLine('x'.repeat(100), 10)).toBe(`${'x'.repeat(9)}…`);
  });

  it('draws a live listr2 row per worker on a terminal stderr while stdout carries only frames', async () => {
    const { screen, frames, code } = await onTerminal(`-w 3 -- sh -c 'echo "step one of {#}"; sleep 0.5; echo "final words {#}"; exit $(({#} - 1))'`);
    expect(code).toBe(1);
    const text = stripAnsi(screen);
    for (const id of ['w1', 'w2', 'w3']) expect(text).toContain(id);
    expect(text).toContain('step one of 2');
    expect(text).toMatch(/✔.*w1/);
    expect(text).toMatch(/✖.*w2.*exit 1/);
    expect(text).not.toContain('"type"'); // no frame leaked onto the terminal
    expect(parseFrames(frames).at(-1)).toMatchObject({ type: 'run_finished', counts: { ok: 1, failed: 2 } });
  });

  it('switches to a summary with the busiest rows past the row limit (300 workers)', async () => {
    const { screen, frames, code } = await onTerminal(`-w 300 -- sh -c 'echo hi {#}; sleep 1'`);
    expect(code).toBe(0);
    expect(stripAnsi(screen)).toMatch(/300 workers: \d+ running, \d+ done/);
    expect(parseFrames(frames).filter((f) => f.type === 'worker_exited')).toHaveLength(300);
  });

  it('with a task list: a tasks row above the slot rows, the task on each row, and the summary below when done', async () => {
    const { screen, frames, code } = await onTerminal(`--task alpha --task beta --task gamma -w 2 -- sh -c 'echo "doing $1"; sleep 0.3; [ "$1" != beta ]' _ {}`);
    expect(code).toBe(1);
    const text = stripAnsi(screen);
    expect(text).toMatch(/3 tasks: \d+ running, \d+ done, \d+ failed, \d+ queued/);
    expect(text).toMatch(/w\d .*#\d .*doing (alpha|beta|gamma)/);
    expect(text).toMatch(/relay: run completed in [\d.]+s: 3 tasks: 2 ok, 1 failed/);
    expect(text).toMatch(/relay: failed: #2 \(exit 1\)/);
    expect(parseFrames(frames).at(-1)).toMatchObject({ type: 'run_finished', counts: { ok: 2, failed: 1 } });
  });
});
