// `relay replay --live` in a real terminal (node-pty): whatever the recorded output switched on
// there (the alternate screen, a hidden cursor, mouse reporting) is switched off again at the
// end, on Ctrl-C, and the replay exits cleanly when its reader goes away.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pty from 'node-pty';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '../src/frames/encode.js';
import type { Frame } from '../src/frames/types.js';
import { parseFrames, RELAY, relayAsync, shell } from './helpers/cli.js';
import { tmp } from './helpers/temp.js';

let dir: string;
let frames: Frame[];
const ENTER = '\x1b[?1049h\x1b[?25l\x1b[?1000h';

beforeAll(async () => {
  dir = tmp('relay-live-');
  const file = join(dir, 'run.ndjson');
  const r = await relayAsync(['fanout', '--progress', 'none', '--output', file, '-w', '1', '--', 'bash', '-c', `printf '${ENTER.replaceAll('\x1b', '\\033')}hello\\n'; sleep 1; printf 'second\\n'`]);
  expect(r.status, r.stderr).toBe(0);
  frames = parseFrames(readFileSync(file, 'utf8'));
}, 60_000);

/** The frames with the second output chunk `gapMs` after the first. */
function withGap(name: string, gapMs: number): string {
  const streams = frames.filter((f) => f.type === 'worker_stream');
  const first = streams[0]!.ts;
  const last = streams.at(-1)!;
  const shifted = frames.map((f) => (f.seq >= last.seq ? { ...f, ts: Math.max(f.ts, first + gapMs) } : f));
  const path = join(dir, name);
  writeFileSync(path, shifted.map(encodeFrame).join(''));
  return path;
}

/** relay replay --live in a terminal; `onScreen` may act once `text` has appeared. */
function inTerminal(args: string[], until?: { text: string; then: (term: pty.IPty) => void }): Promise<{ out: string; code: number }> {
  const term = pty.spawn(process.execPath, [RELAY, ...args], { cols: 80, rows: 24, env: process.env as Record<string, string> });
  let out = '';
  let acted = false;
  term.onData((d) => {
    out += d;
    if (until && !acted && out.includes(until.text)) {
      acted = true;
      until.then(term);
    }
  });
  return new Promise((resolve) => term.onExit(({ exitCode }) => resolve({ out, code: exitCode })));
}

/** What follows the last output: the restoring sequences. */
const after = (out: string, text: string): string => out.slice(out.lastIndexOf(text) + text.length);

describe('relay replay --live leaves the terminal as it found it', () => {
  it('at the end: the alternate screen left, mouse reporting off, the cursor shown', async () => {
    const { out, code } = await inTerminal(['replay', withGap('end.ndjson', 10), '--live', '--max-delay', '50ms']);
    expect(code).toBe(0);
    expect(out).toContain('hello');
    const tail = after(out, 'second');
    expect(tail).toContain('\x1b[?1049l');
    expect(tail).toContain('\x1b[?1000l');
    expect(tail).toContain('\x1b[?25h');
  }, 60_000);

  it('on Ctrl-C during a pause: restored, exit 130', async () => {
    const { out, code } = await inTerminal(['replay', withGap('pause.ndjson', 600_000), '--live', '--max-delay', '10m'], { text: 'hello', then: (t) => t.write('\x03') });
    expect(code).toBe(130);
    expect(out).not.toContain('second');
    const tail = after(out, 'hello');
    expect(tail).toContain('\x1b[?1049l');
    expect(tail).toContain('\x1b[?25h');
  }, 60_000);

  it('output that never left the normal screen gets no \\e[?1049l (it would move the cursor)', async () => {
    const plain = frames.map((f) => (f.type === 'worker_stream' ? { ...f, data: f.data.replace(ENTER, '') } : f));
    const path = join(dir, 'plain.ndjson');
    writeFileSync(path, plain.map(encodeFrame).join(''));
    const { out, code } = await inTerminal(['replay', path, '--live', '--max-delay', '10ms']);
    expect(code).toBe(0);
    expect(after(out, 'second')).not.toContain('\x1b[?1049l');
    expect(after(out, 'second')).toContain('\x1b[?25h');
  }, 60_000);

  it('when its reader goes away (| head -c 1): exit 141, nothing on stderr, nothing added to a pipe', async () => {
    const r = await shell(`relay replay "${withGap('pipe.ndjson', 300)}" --live --max-delay 1s | head -c 1; echo "status \${PIPESTATUS[0]}"`);
    expect(r.stdout).toBe('\x1bstatus 141\n');
    expect(r.stderr).toBe('');
    const piped = await relayAsync(['replay', withGap('piped.ndjson', 10), '--live', '--max-delay', '10ms']);
    expect(piped.stdout).toBe(`${ENTER}hello\r\nsecond\r\n`);
  }, 60_000);
});
