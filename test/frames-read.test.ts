import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FrameReadError, readFrames, type Frame } from '../src/index.js';
import { FrameSchemas } from '../src/frames/types.js';
import { relayAsync, shell } from './helpers/cli.js';

const started = { v: 1, seq: 1, ts: 1, type: 'run_started', run_id: 'r', workers: 1, tasks: 1, command: ['true'], version: '0.1.0', cols: 80, rows: 24 };
const stream = { v: 1, seq: 2, ts: 2, type: 'worker_stream', worker: 'w1', data: 'hi\r\n', task: 1, task_id: '1', attempt: 1 };
const line = (o: object): string => JSON.stringify(o) + '\n';

/** A readable that delivers `chunks` one by one, as a pipe would. */
const from = (...chunks: string[]): Readable => Readable.from(chunks.map((c) => Buffer.from(c)));

async function all(readable: Readable, options?: Parameters<typeof readFrames>[1]): Promise<Frame[]> {
  const out: Frame[] = [];
  for await (const f of readFrames(readable, options)) out.push(f);
  return out;
}

async function failure(readable: Readable): Promise<{ frames: Frame[]; error: FrameReadError }> {
  const frames: Frame[] = [];
  try {
    for await (const f of readFrames(readable)) frames.push(f);
  } catch (err) {
    return { frames, error: err as FrameReadError };
  }
  throw new Error('readFrames did not fail');
}

describe('readFrames', () => {
  it('yields valid frames split anywhere across chunks, multibyte characters included', async () => {
    const text = line(started) + line({ ...stream, data: 'héllo ✓\r\n' });
    const bytes = Buffer.from(text);
    const chunks = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
    const frames = await all(Readable.from(chunks));
    expect(frames).toEqual([started, { ...stream, data: 'héllo ✓\r\n' }]);
  });

  it('rejects a line that is not JSON with BAD_FRAME naming its line number, after yielding the lines before it', async () => {
    const { frames, error } = await failure(from(line(started), line(stream), '{"v":1,nope}\n', line(stream)));
    expect(frames).toHaveLength(2);
    expect(error).toBeInstanceOf(FrameReadError);
    expect(error.code).toBe('BAD_FRAME');
    expect(error.line).toBe(3);
    expect(error.truncated).toBe(false);
    expect(error.message).toMatch(/^line 3: not JSON/);
  });

  it('rejects a frame that breaks its schema, naming the line and the field', async () => {
    const { error } = await failure(from(line(started), line({ ...stream, data: 42 })));
    expect(error.line).toBe(2);
    expect(error.message).toMatch(/^line 2: invalid worker_stream frame: \/data/);
    const v2 = await failure(from(line({ ...started, v: 2 })));
    expect(v2.error.message).toMatch(/^line 1: protocol version 2 is not supported/);
  });

  it('skips frame types it does not know (newer relays may add them within v1), or rejects them when asked', async () => {
    const future = { v: 1, seq: 2, ts: 2, type: 'worker_mood', worker: 'w1', mood: 'calm' };
    expect(await all(from(line(started), line(future), line({ ...stream, seq: 3 })))).toEqual([started, { ...stream, seq: 3 }]);
    await expect(all(from(line(started), line(future)), { unknownTypes: 'error' })).rejects.toThrow(/^line 2: unknown frame type "worker_mood"/);
  });

  it('keeps unknown fields of known frame types (new optional fields within v1)', async () => {
    expect(await all(from(line({ ...started, attempt: 2 })))).toEqual([{ ...started, attempt: 2 }]);
  });

  it('marks a last line cut off mid-frame as truncated, after yielding every complete frame', async () => {
    const { frames, error } = await failure(from(line(started), line(stream), '{"v":1,"seq":3,"ts":3,"type":"worker_st'));
    expect(frames).toEqual([started, stream]);
    expect(error).toMatchObject({ code: 'BAD_FRAME', line: 3, truncated: true });
    expect(error.message).toMatch(/truncated/);
    // A complete last frame that only lacks its newline is still a frame.
    expect(await all(from(line(started), JSON.stringify(stream)))).toEqual([started, stream]);
  });
});

describe('relay schema', () => {
  it('prints one JSON Schema bundle with every frame type under $defs, generated from the frame definitions', async () => {
    const r = await relayAsync(['schema']);
    expect(r.status).toBe(0);
    const schema = JSON.parse(r.stdout);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe('urn:relay:frames:v1');
    const types = FrameSchemas.map((s) => s.$id);
    expect(Object.keys(schema.$defs).sort()).toEqual([...types].sort());
    expect(schema.oneOf).toEqual(types.map((t) => ({ $ref: `#/$defs/${t}` })));
    expect(schema.$defs.worker_line.required).toEqual(['v', 'seq', 'ts', 'type', 'worker', 'text', 'task', 'task_id', 'attempt']);
    expect(schema.$defs.worker_exited.properties.exit_code).toMatchObject({ anyOf: [{ type: 'integer' }, { type: 'null' }] });
  });

  it('works in a jq pipeline as its --help examples say', async () => {
    const r = await shell(`relay schema | jq -r '.["$defs"] | keys[]'`);
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(FrameSchemas.map((s) => s.$id).sort());
    const help = await relayAsync(['schema', '--help']);
    expect(help.stdout).toContain('EXAMPLES');
  });
});
