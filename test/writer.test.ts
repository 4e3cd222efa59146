import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FrameWriter } from '../src/writer/frame-writer.js';

/** A real Writable whose consumer we drive by hand: each chunk waits until `release()`. */
function gatedSink(highWaterMark: number) {
  const chunks: string[] = [];
  const pending: (() => void)[] = [];
  const sink = new Writable({
    highWaterMark,
    decodeStrings: false,
    write(chunk: string, _enc, cb) {
      chunks.push(chunk);
      pending.push(cb);
    },
  });
  const release = async (): Promise<void> => {
    while (pending.length > 0) {
      pending.shift()!();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { sink, chunks, release, pendingCount: () => pending.length };
}

const line = (n: number, size = 100): string => `${JSON.stringify({ n, pad: 'x'.repeat(size) })}\n`;

function settled(p: Promise<unknown>): { done: boolean } {
  const state = { done: false };
  p.then(
    () => (state.done = true),
    () => (state.done = true),
  );
  return state;
}

describe('FrameWriter', () => {
  it('resolves writes at once below the high watermark, holds them above it, and releases them at the low watermark', async () => {
    const { sink, release } = gatedSink(1024);
    const writer = new FrameWriter(sink, { highWaterMark: 4096, lowWaterMark: 1024, maxBatchBytes: 1024 });
    const early = settled(writer.write(line(0)));
    await new Promise((r) => setImmediate(r));
    expect(early.done).toBe(true);

    const held: { done: boolean }[] = [];
    for (let i = 1; i <= 60; i++) held.push(settled(writer.write(line(i))));
    await new Promise((r) => setImmediate(r));
    expect(writer.buffered).toBeGreaterThanOrEqual(4096);
    expect(held.at(-1)!.done).toBe(false);

    await release();
    await new Promise((r) => setImmediate(r));
    expect(writer.buffered).toBeLessThanOrEqual(1024);
    expect(held.every((h) => h.done)).toBe(true);
  });

  it('batches many small frames into few destination writes, in order', async () => {
    const chunks: string[] = [];
    const sink = new Writable({
      decodeStrings: false,
      write(chunk: string, _enc, cb) {
        chunks.push(chunk);
        cb();
      },
    });
    const writer = new FrameWriter(sink, { maxBatchBytes: 64 * 1024 });
    const lines = Array.from({ length: 1000 }, (_, i) => line(i, 10));
    await Promise.all(lines.map((l) => writer.write(l)));
    await writer.end();
    expect(chunks.join('')).toBe(lines.join(''));
    expect(chunks.length).toBeLessThan(10);
  });

  it('rejects waiting and later writes when the destination errors while a drain is awaited (no promise left pending)', async () => {
    const { sink } = gatedSink(16);
    const writer = new FrameWriter(sink, { highWaterMark: 512, lowWaterMark: 0 });
    const waiting = Array.from({ length: 20 }, (_, i) => writer.write(line(i)));
    await new Promise((r) => setImmediate(r));
    let failure: unknown;
    writer.onFailure((err) => (failure = err));
    sink.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    const results = await Promise.allSettled(waiting);
    expect(results.at(-1)).toMatchObject({ status: 'rejected' });
    expect(failure).toMatchObject({ code: 'OUTPUT_CLOSED' });
    await expect(writer.write(line(99))).rejects.toMatchObject({ code: 'OUTPUT_CLOSED' });
    await expect(writer.end()).rejects.toMatchObject({ code: 'OUTPUT_CLOSED' });
  });

  it('turns a real closed pipe (reader exited) into OUTPUT_CLOSED instead of waiting for a drain that never comes', async () => {
    const reader = spawn('true', [], { stdio: ['pipe', 'ignore', 'inherit'] });
    const writer = new FrameWriter(reader.stdin, { highWaterMark: 64 * 1024 });
    const failed = new Promise((resolve) => writer.onFailure(resolve));
    await once(reader, 'exit');
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 2000; i++) writes.push(writer.write(line(i, 1000)).catch(() => {}));
    await expect(failed).resolves.toMatchObject({ code: 'OUTPUT_CLOSED' });
    await Promise.all(writes);
  });

  it('end() resolves only after a real pipe reader has every byte', async () => {
    const reader = spawn('wc', ['-c'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let counted = '';
    reader.stdout.on('data', (d: Buffer) => (counted += d.toString()));
    const writer = new FrameWriter(reader.stdin, { highWaterMark: 32 * 1024, endDestination: true });
    let total = 0;
    for (let i = 0; i < 5000; i++) {
      const l = line(i, 200);
      total += Buffer.byteLength(l);
      await writer.write(l);
    }
    await writer.end();
    await once(reader, 'exit');
    expect(Number(counted.trim())).toBe(total);
  });
});
