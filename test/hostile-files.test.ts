// Frame files are untrusted input (issue 13, class 5): a corpus of crafted, broken and cut-off
// files through the real CLI (replay, summary, merge). Each must end in one line naming the file
// (exit 2) or a result, never a crash, and within memory bounds that do not follow the file's say-so.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '../src/frames/encode.js';
import { readFrames } from '../src/frames/read.js';
import type { Frame } from '../src/frames/types.js';
import { expectUsageError, parseFrames, relayAsync, type Ran } from './helpers/cli.js';
import { tmp } from './helpers/temp.js';

let dir: string;
let frames: Frame[];
const MB = 1024 * 1024;

/** A file in the corpus folder made of `lines` (each ended by "\n" unless given as raw bytes). */
function craft(name: string, content: (string | object)[] | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, Buffer.isBuffer(content) ? content : content.map((l) => (typeof l === 'string' ? l : JSON.stringify(l)) + '\n').join(''));
  return path;
}

/** The CLI with RELAY_DEBUG_STATS: its result and peak RSS in MB. */
async function measured(args: string[]): Promise<Ran & { rssMb: number }> {
  const stats = join(dir, `stats-${Math.random().toString(36).slice(2)}.json`);
  const r = await relayAsync(args, { env: { RELAY_DEBUG_STATS: stats }, timeout: 120_000 });
  const rss = (JSON.parse(readFileSync(stats, 'utf8')) as { max_rss_bytes: number }).max_rss_bytes;
  return { ...r, rssMb: rss / MB };
}

beforeAll(async () => {
  dir = tmp('relay-hostile-');
  const file = join(dir, 'run.ndjson');
  const r = await relayAsync(['fanout', '--progress', 'none', '--output', file, '-w', '2', '--', 'bash', '-c', 'printf "héllo {%}\\n"']);
  expect(r.status).toBe(0);
  frames = parseFrames(readFileSync(file, 'utf8'));
}, 60_000);

const lines = (): object[] => frames.map((f) => ({ ...f }));
const started = (): Frame & { type: 'run_started' } => frames[0] as Frame & { type: 'run_started' };

describe('bad frame files: one line naming the file and the line, exit 2, nothing on stdout (replay, summary, merge)', () => {
  const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
  const cases: [string, () => string, RegExp][] = [
    ['a directory', () => (mkdirSync(join(dir, 'a-dir'), { recursive: true }), join(dir, 'a-dir')), /a-dir: is a directory/],
    ['an empty file', () => craft('empty.ndjson', []), /empty.ndjson: (no frames|empty)/],
    ['binary garbage', () => craft('garbage.bin', garbage), /garbage.bin line 1: (not valid UTF-8|not JSON)/],
    ['NUL bytes', () => craft('nul.ndjson', [JSON.stringify(frames[0]), '\0\0\0{"v":1}\0', ...lines().slice(1)]), /nul.ndjson line 2: not JSON: "\\u0000/],
    ['invalid UTF-8 inside a frame', () => craft('latin1.ndjson', Buffer.concat([Buffer.from(encodeFrame(frames[0]!)), Buffer.from([0x7b, 0xe9, 0x7d, 0x0a]), Buffer.from(frames.slice(1).map(encodeFrame).join(''))])), /latin1.ndjson line 2: not valid UTF-8/],
    ['a 100 MB line', () => craft('long.ndjson', [JSON.stringify(frames[0]), 'x'.repeat(100 * MB), ...lines().slice(1)]), /long.ndjson line 2: longer than 16 MiB/],
    ['a line over the limit without a newline', () => craft('long-end.ndjson', Buffer.concat([Buffer.from(encodeFrame(frames[0]!)), Buffer.alloc(17 * MB, 0x78)])), /long-end.ndjson line 2: longer than 16 MiB/],
    ['a duplicated frame', () => craft('dup.ndjson', [...lines().slice(0, 3), lines()[2]!, ...lines().slice(3)]), /dup.ndjson line 4: seq 3 after seq 3/],
    ['two runs in one file', () => craft('two.ndjson', [...lines(), ...lines()]), /two.ndjson line \d+: seq 1 after seq \d+: frames duplicated or out of order/],
  ];

  for (const [what, make, pattern] of cases) {
    it(what, async () => {
      const file = make();
      for (const args of [['replay', file], ['summary', file]]) {
        const r = await measured(args);
        expectUsageError(r, pattern);
        expect(r.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/); // nothing from the file reaches the terminal raw
        expect(r.rssMb, `${what}: relay ${args.join(' ')} peak RSS`).toBeLessThan(300);
      }
      const merged = await relayAsync(['merge', file], { timeout: 120_000 });
      expect(merged.status).toBe(2);
      expect(merged.stdout).toBe('');
      expect(merged.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(merged.stderr).toContain(file.split('/').at(-1));
    }, 120_000);
  }
});

describe('crafted but readable files', () => {
  it('a run_started of 50000 x 50000 is shown at replay\'s limit (1000 x 1000), with a warning, in bounded memory', async () => {
    const file = craft('huge.ndjson', [{ ...started(), cols: 50_000, rows: 50_000 }, ...lines().slice(1)]);
    const r = await measured(['replay', file]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^relay: warning: .*huge.ndjson: its terminals were 50000x50000, over replay's limit of 1000x1000; showing 1000x1000\n$/);
    expect(r.stdout).toContain('héllo 1');
    expect(r.rssMb).toBeLessThan(400);
  }, 60_000);

  it('more screens than the screen budget holds is refused in one line (exit 2), with --worker and --transcript still there', async () => {
    const workers = Array.from({ length: 60 }, (_, i) => i + 1);
    const stream = (w: number, seq: number): object => ({ ...frames.find((f) => f.type === 'worker_stream'), worker: `w${w}`, seq });
    const file = craft('many.ndjson', [{ ...started(), cols: 1000, rows: 1000, workers: 60 }, ...workers.map((w) => stream(w, w + 1))]);
    const r = await measured(['replay', file]);
    expectUsageError(r, /many.ndjson: too many screens to hold at once \(\d+ at 1000x1000, at #1 on w\d+\); replay some with --worker or --task, or use --transcript/);
    expect(r.rssMb).toBeLessThan(900);
    expect((await relayAsync(['replay', file, '--worker', '60'])).stdout).toBe('héllo 1\n');
    expect((await relayAsync(['replay', file, '--transcript'])).status).toBe(0);
  }, 60_000);

  it('a valid 15 MB frame is read in linear time and bounded memory (replay, summary, merge)', async () => {
    const big = frames.map((f) => (f.type === 'worker_stream' && f.worker === 'w1' ? { ...f, data: 'y'.repeat(15 * MB) + '\r\n' } : f));
    const file = craft('big.ndjson', big);
    for (const args of [['summary', file], ['replay', file, '--transcript', '--worker', '2']]) {
      const r = await measured(args);
      expect(r.status, r.stderr).toBe(0);
      expect(r.rssMb, args.join(' ')).toBeLessThan(400);
    }
    const merged = await relayAsync(['merge', file]);
    expect(merged.status, merged.stderr).toBe(0);
    expect(parseFrames(merged.stdout).find((f) => f.type === 'worker_stream' && f.worker === 'w1')).toMatchObject({ data: expect.stringMatching(/^y{1000}/) });
  }, 120_000);

  it('a file cut in the middle of a UTF-8 character is a cut-off stream: what came before, and a warning', async () => {
    const bytes = Buffer.from(frames.map(encodeFrame).join(''));
    const at = bytes.lastIndexOf(Buffer.from('é')) + 1; // between the two bytes of the last "é"
    const file = craft('cut-utf8.ndjson', bytes.subarray(0, at));
    const r = await relayAsync(['replay', file, '--transcript']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^relay: warning: .*cut-utf8.ndjson is cut off mid-frame at line \d+; showing what came before\n$/);
    expect(r.stdout).toContain('héllo 1');
  });

  it('gaps in seq (a stream filtered with jq or grep) are fine', async () => {
    const file = craft('w2-only.ndjson', lines().filter((f) => !('worker' in f) || (f as { worker: string }).worker === 'w2'));
    const r = await relayAsync(['replay', file, '--transcript']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('── #2 on w2 (exit 0) ──\nhéllo 2\n');
  });
});

describe('lone surrogates never reach a frame', () => {
  it('a JSON task with "\\ud800" gives frames that a strict UTF-8 JSON reader takes, with U+FFFD in its place', async () => {
    const tasks = craft('tasks.ndjson', ['{"id":"a\\ud800","prompt":"x\\udfffy \\\\ud800"}']);
    const r = await relayAsync(['fanout', '--progress', 'none', '--tasks', tasks, '--', 'echo', '{}']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/(?<!\\)(\\\\)*\\ud[89a-f]/i);
    new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(r.stdout));
    const started = parseFrames(r.stdout).find((f) => f.type === 'worker_started') as Frame & { argv: string[]; task_id: string };
    expect(started.task_id).toBe('a\uFFFD');
    expect(started.argv).toEqual(['echo', 'x\uFFFDy \\ud800']);
  });

  it('encodeFrame writes U+FFFD for a lone surrogate in keys and values, and leaves pairs and the text "\\ud800" alone', async () => {
    const frame = { ...frames[0]!, command: ['a\ud800', '\udc00b', '😀', '\\ud800', '\\\ud800'], extra: { 'k\udbff': 1 } } as unknown as Frame;
    const line = encodeFrame(frame);
    expect(line).not.toMatch(/(?<!\\)(\\\\)*\\ud[89a-f]/i);
    const back = JSON.parse(line) as { command: string[]; extra: object };
    expect(back.command).toEqual(['a\uFFFD', '\uFFFDb', '😀', '\\ud800', '\\\uFFFD']);
    expect(back.extra).toEqual({ 'k\uFFFD': 1 });
    // And a reader takes it back as the frame it is.
    const read: Frame[] = [];
    for await (const f of readFrames(Readable.from([encodeFrame({ ...frames[0]!, command: ['a\ud800'] } as Frame)]))) read.push(f);
    expect(read).toMatchObject([{ type: 'run_started', command: ['a\uFFFD'] }]);
  });
});
