import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fanout, type Frame, type FanoutOptions } from '../src/index.js';
import { frameWeight } from '../src/fanout/queue.js';
import { frameError } from '../src/frames/validate.js';
import { waitGone } from './helpers/procs.js';
import { checkFrame } from './helpers/cli.js';
import { tmp } from './helpers/temp.js';

async function collect(options: FanoutOptions): Promise<{ frames: Frame[]; result: Awaited<ReturnType<typeof fanout>['result']> }> {
  const run = fanout(options);
  const frames: Frame[] = [];
  for await (const f of run) frames.push(checkFrame(f, frames.length + 1));
  return { frames, result: await run.result };
}

const streamOf = (frames: Frame[], worker: string): string =>
  frames.flatMap((f) => (f.type === 'worker_stream' && f.worker === worker ? [f.data] : [])).join('');


describe('fanout engine', () => {
  it('emits run_started, then per worker started → stream → exited, then run_finished, with seq 1..n and no gaps', async () => {
    const { frames, result } = await collect({ workers: 3, command: ['sh', '-c', 'echo "hello $RELAY_WORKER"'] });
    expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i + 1));
    expect(frames[0]).toMatchObject({ type: 'run_started', v: 1, workers: 3, command: ['sh', '-c', 'echo "hello $RELAY_WORKER"'] });
    expect(frames.at(-1)).toMatchObject({ type: 'run_finished', ok: true, exit_code: 0, reason: 'completed', counts: { total: 3, ok: 3 } });
    for (const id of ['w1', 'w2', 'w3']) {
      const own = frames.filter((f) => 'worker' in f && f.worker === id).map((f) => f.type);
      expect(own[0]).toBe('worker_started');
      expect(own.at(-1)).toBe('worker_exited');
      expect(own.slice(1, -1).every((t) => t === 'worker_stream')).toBe(true);
      expect(streamOf(frames, id)).toBe(`hello ${id}\r\n`);
    }
    expect(result).toMatchObject({ ok: true, exitCode: 0 });
  });

  it('fills {#} in every argument and sets RELAY_WORKER / RELAY_WORKER_INDEX and TERM', async () => {
    const { frames } = await collect({ workers: 2, command: ['sh', '-c', 'echo "$0|$1|$RELAY_WORKER|$RELAY_WORKER_INDEX|$TERM"', 'n{#}', 'x-{#}-y'] });
    expect(streamOf(frames, 'w1')).toBe('n1|x-1-y|w1|1|xterm-256color\r\n');
    expect(streamOf(frames, 'w2')).toBe('n2|x-2-y|w2|2|xterm-256color\r\n');
    const started = frames.find((f) => f.type === 'worker_started' && f.worker === 'w2');
    expect(started).toMatchObject({ argv: ['sh', '-c', expect.any(String), 'n2', 'x-2-y'], pid: expect.any(Number) });
  });

  it('gives workers that cannot start exit 127 / 126 frames and keeps running the others', async () => {
    const dir = tmp();
    const notExec = join(dir, 'not-executable');
    writeFileSync(notExec, '#!/bin/sh\necho hi\n');
    chmodSync(notExec, 0o644);
    const missing = await collect({ workers: 2, command: ['relay-no-such-command-{#}'] });
    const exited = missing.frames.filter((f) => f.type === 'worker_exited');
    expect(exited).toHaveLength(2);
    expect(exited[0]).toMatchObject({ exit_code: 127, reason: 'spawn_error', error: expect.stringContaining('command not found') });
    expect(missing.result).toMatchObject({ ok: false, exitCode: 1, counts: { spawn_error: 2 } });

    const denied = await collect({ workers: 1, command: [notExec] });
    expect(denied.frames.find((f) => f.type === 'worker_exited')).toMatchObject({ exit_code: 126, reason: 'spawn_error' });
    expect(denied.frames.find((f) => f.type === 'worker_started')).toMatchObject({ pid: null });
  });

  it('reports exit codes and signal deaths per worker and counts outcomes', async () => {
    const { frames, result } = await collect({ workers: 3, command: ['sh', '-c', 'case {#} in 1) exit 0;; 2) exit 3;; 3) kill -KILL $$;; esac'] });
    const byWorker = Object.fromEntries(frames.flatMap((f) => (f.type === 'worker_exited' ? [[f.worker, f]] : [])));
    expect(byWorker.w1).toMatchObject({ exit_code: 0, signal: null, reason: 'exit' });
    expect(byWorker.w2).toMatchObject({ exit_code: 3, signal: null, reason: 'exit' });
    expect(byWorker.w3).toMatchObject({ exit_code: null, signal: 'SIGKILL', reason: 'signal' });
    expect(result.counts).toEqual({ total: 3, ok: 1, failed: 1, signal: 1, spawn_error: 0, cancelled: 0, timeout: 0, idle: 0, awaiting_input: 0, agent_error: 0, not_started: 0 });
    expect(result.exitCode).toBe(1);
  });

  it('never splits a UTF-8 character between frames and replaces invalid bytes', async () => {
    // "€" is e2 82 ac: its first two bytes come in one write, the last in another, 200 ms later.
    const script = `printf 'a\\342\\202'; sleep 0.2; printf '\\254b\\377c\\n'`;
    const { frames } = await collect({ workers: 1, command: ['sh', '-c', script] });
    const parts = frames.flatMap((f) => (f.type === 'worker_stream' ? [f.data] : []));
    expect(parts.length).toBeGreaterThanOrEqual(2);
    expect(parts.join('')).toBe('a€b\uFFFDc\r\n');
    expect(parts.every((p) => !p.includes('\uFFFD\uFFFD'))).toBe(true);
  });

  it('pauses the workers while the consumer stalls, bounds what is queued, and delivers every byte after', async () => {
    const dir = tmp();
    const file = join(dir, 'big.txt');
    const line = `${'0123456789'.repeat(9)}\n`;
    writeFileSync(file, line.repeat(30_000)); // 2.7 MB per worker
    const highWaterMark = 64 * 1024;
    const run = fanout({ workers: 9, command: ['cat', file], highWaterMark });
    const frames: Frame[] = [];
    let queued = 0;
    let maxQueued = 0;
    let reachedHighWater!: () => void;
    const highWater = new Promise<void>((resolve) => (reachedHighWater = resolve));
    run.observe((f) => {
      queued += frameWeight(f);
      maxQueued = Math.max(maxQueued, queued);
      if (queued >= highWaterMark) reachedHighWater(); // the run pauses as this frame is queued
    });
    const iterator = run[Symbol.asyncIterator]();
    const take = async (): Promise<boolean> => {
      const next = await iterator.next();
      if (next.done) return false;
      queued -= frameWeight(next.value);
      frames.push(next.value);
      return true;
    };
    while (!frames.some((f) => f.type === 'worker_stream')) await take();

    // Stall: take nothing. Once a high watermark of frames waits, the run pauses every terminal…
    await highWater;
    await Promise.resolve();
    expect(run.paused).toBe(true);
    // …and they stay paused however long the stall lasts (here half a second: the stall is the
    // scenario; there is no event for output that does not come).
    const bytesAtPause = run.workers.reduce((n, w) => n + w.bytes, 0);
    await new Promise((r) => setTimeout(r, 500));
    expect(run.workers.reduce((n, w) => n + w.bytes, 0)).toBe(bytesAtPause);
    // Bounded: the high watermark plus at most one 64 KiB read per worker and frame overhead.
    expect(maxQueued).toBeLessThan(highWaterMark + 9 * (64 * 1024 + 4096));

    while (await take());
    const result = await run.result;
    expect(result.ok).toBe(true);
    for (let i = 1; i <= 9; i++) {
      expect(streamOf(frames, `w${i}`)).toBe(line.replace('\n', '\r\n').repeat(30_000));
    }
  });

  it('stop() signals whole process groups, grandchildren included, and reports the workers as cancelled', async () => {
    const run = fanout({ workers: 2, command: ['bash', '-c', 'sleep 300 & echo "child $!"; wait'], graceMs: 2000 });
    const frames: Frame[] = [];
    const grandchildren: number[] = [];
    for await (const f of run) {
      frames.push(f);
      if (f.type === 'worker_stream') {
        const m = /child (\d+)/.exec(f.data);
        if (m) grandchildren.push(Number(m[1]));
        if (grandchildren.length === 2) run.stop('interrupted');
      }
    }
    const result = await run.result;
    expect(result).toMatchObject({ exitCode: 130, reason: 'interrupted', counts: { cancelled: 2 } });
    expect(await waitGone(grandchildren)).toEqual([]);
  });

  it('runs a task list on slots: every frame valid against the protocol schemas, task fields on every worker frame', async () => {
    const { frames, result } = await collect({
      tasks: ['one', { id: 'two', prompt: 'second task' }, 'three'],
      workers: 2,
      command: ['sh', '-c', 'echo "$RELAY_TASK_ID:$1"; sleep 0.4; [ "$1" != three ]', '_', '{}'],
      idleTimeoutMs: 200,
      retries: 1,
      retryDelayMs: 10,
    });
    for (const f of frames) expect(frameError(f), JSON.stringify(f)).toBeUndefined();
    expect(frames.filter((f) => f.type === 'worker_idle').length).toBeGreaterThanOrEqual(3);
    const exits = frames.flatMap((f) => (f.type === 'worker_exited' ? [[f.task_id, f.attempt, f.exit_code]] : []));
    expect(exits.sort()).toEqual([['1', 1, 0], ['3', 1, 1], ['3', 2, 1], ['two', 1, 0]]);
    expect(streamOf(frames, 'w1') + streamOf(frames, 'w2')).toContain('two:second task');
    expect(result).toMatchObject({ ok: false, exitCode: 1, attempts: 4, failedTasks: [{ task: 3, attempts: 2 }] });
  });

  it('stop() during a retry back-off ends the run at once: the task keeps its failure, the others are not started', async () => {
    const run = fanout({ tasks: ['a', 'b', 'c'], workers: 1, retries: 3, retryDelayMs: 60_000, command: ['sh', '-c', 'exit 4'] });
    const frames: Frame[] = [];
    for await (const f of run) {
      frames.push(f);
      if (f.type === 'worker_exited') run.stop('interrupted');
    }
    const result = await run.result;
    expect(frames.filter((f) => f.type === 'worker_started')).toHaveLength(1);
    expect(result).toMatchObject({ reason: 'interrupted', exitCode: 130, attempts: 1, notStarted: ['2', '3'], failedTasks: [{ task: 1, exit_code: 4, attempts: 1 }] });
    expect(result.counts).toMatchObject({ total: 3, failed: 1, not_started: 2 });
  });

  it('without a task list runs task n on worker wn, even when early workers end before later ones start', async () => {
    const { frames } = await collect({ workers: 50, command: ['true'] });
    const started = frames.flatMap((f) => (f.type === 'worker_started' ? [[f.worker, f.task, f.task_id, f.attempt]] : []));
    expect(started).toEqual(Array.from({ length: 50 }, (_, i) => [`w${i + 1}`, i + 1, String(i + 1), 1]));
  });
});
