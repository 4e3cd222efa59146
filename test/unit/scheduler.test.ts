// The scheduler core on a fake clock and fake terminals: which task runs where and when.
import { describe, expect, it } from 'vitest';
import type { RunExtension } from '../../src/fanout/extension.js';
import type { Frame } from '../../src/frames/types.js';
import { drive, settle } from './fakes.js';

const tasks = (n: number): string[] => Array.from({ length: n }, (_, i) => `task ${i + 1}`);

/** Most attempts running at once, counted from the frames. */
function mostAtOnce(frames: Frame[]): number {
  let running = 0;
  let most = 0;
  for (const f of frames) {
    if (f.type === 'worker_started') most = Math.max(most, ++running);
    if (f.type === 'worker_exited') running -= 1;
  }
  return most;
}

/** (task, attempt, slot) of every start, in order. */
const starts = (frames: Frame[]): string[] =>
  frames.flatMap((f) => (f.type === 'worker_started' ? [`${f.task}#${f.attempt}@${f.worker}`] : []));

describe('scheduler', () => {
  it('slots take tasks in order, never more than N at once, each as soon as a slot is free', async () => {
    const d = drive({ tasks: tasks(7), workers: 3 });
    await settle();
    expect(starts(d.frames)).toEqual(['1#1@w1', '2#1@w2', '3#1@w3']);
    expect(d.run.tasks.running).toBe(3);
    d.pty(2).exit(0);
    await settle();
    expect(starts(d.frames).at(-1)).toBe('4#1@w2');
    d.pty(1).exit(1);
    d.pty(3).exit(0);
    await settle();
    expect(starts(d.frames).slice(4)).toEqual(['5#1@w1', '6#1@w3']);
    for (const n of [4, 5, 6]) d.pty(n).exit(0);
    await settle();
    d.pty(7).exit(0);
    const result = await d.run.result;
    expect(mostAtOnce(d.frames)).toBe(3);
    expect(result.counts).toMatchObject({ total: 7, ok: 6, failed: 1 });
    expect(result.attempts).toBe(7);
    expect(d.clock.timers).toEqual([]);
  });

  it('a slot is free again only after its worker_exited (an extension holds it while it finishes)', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const extension: RunExtension = {
      attempt: () => ({ prepare: async (spec) => spec, text() {}, idle: () => false, end: async () => (await held, {}) }),
    };
    const d = drive({ tasks: tasks(2), workers: 1, extension });
    await settle();
    d.pty(1).exit(0);
    await settle();
    expect(d.of('worker_exited')).toEqual([]);
    expect(starts(d.frames)).toEqual(['1#1@w1']);
    expect(d.run.workers[0]!.state).toBe('running');
    release();
    await settle();
    const exited = d.frames.findIndex((f) => f.type === 'worker_exited');
    const second = d.frames.findIndex((f) => f.type === 'worker_started' && f.task === 2);
    expect(exited).toBeGreaterThan(-1);
    expect(second).toBeGreaterThan(exited);
    d.pty(2).exit(0);
    expect((await d.run.result).ok).toBe(true);
  });

  it('a retry that is due goes before tasks not started yet', async () => {
    const d = drive({ tasks: tasks(3), workers: 1, retries: 1, retryDelayMs: 0 });
    await settle();
    d.pty(1).exit(1);
    await d.clock.advance(0);
    d.pty(1).exit(0);
    await settle();
    d.pty(2).exit(0);
    await settle();
    d.pty(3).exit(0);
    await d.run.result;
    expect(starts(d.frames)).toEqual(['1#1@w1', '1#2@w1', '2#1@w1', '3#1@w1']);
  });

  it('a retry waiting out its back-off does not hold up the next task, and goes first once due', async () => {
    const d = drive({ tasks: tasks(3), workers: 1, retries: 1, retryDelayMs: 1000 });
    await settle();
    d.pty(1).exit(1);
    await settle();
    expect(starts(d.frames)).toEqual(['1#1@w1', '2#1@w1']);
    await d.clock.advance(1500); // the retry is due, but the only slot is busy
    expect(starts(d.frames)).toHaveLength(2);
    d.pty(2).exit(0);
    await settle();
    expect(starts(d.frames).at(-1)).toBe('1#2@w1');
    d.pty(1).exit(0);
    await settle();
    d.pty(3).exit(0);
    expect((await d.run.result).ok).toBe(true);
  });

  it('stop(): running attempts are cancelled, tasks not started never start and are listed', async () => {
    const d = drive({ tasks: tasks(5), workers: 2 });
    await settle();
    d.pty(1).exit(0);
    await settle();
    d.run.stop('interrupted');
    expect(d.pty(2).signals).toEqual([{ signal: 'SIGTERM', at: d.clock.time }]);
    expect(d.pty(3).signals).toEqual([{ signal: 'SIGTERM', at: d.clock.time }]);
    d.pty(2).exit(null, 'SIGTERM');
    d.pty(3).exit(null, 'SIGTERM');
    const result = await d.run.result;
    expect(result).toMatchObject({ reason: 'interrupted', exitCode: 130, notStarted: ['4', '5'] });
    expect(result.counts).toMatchObject({ ok: 1, cancelled: 2, not_started: 2 });
    expect(d.of('worker_exited').map((f) => f.reason)).toEqual(['exit', 'cancelled', 'cancelled']);
    const finished = d.of('run_finished')[0]!;
    expect(finished.not_started).toEqual(['4', '5']);
    expect(starts(d.frames)).toHaveLength(3);
  });

  it('stop() of a child that ignores SIGTERM: SIGKILL after the grace period, then relay stops waiting for its output', async () => {
    const d = drive({ tasks: tasks(1), graceMs: 3000 });
    await settle();
    const t0 = d.clock.time;
    d.run.stop('terminated', { graceMs: 500 });
    await d.clock.advance(499);
    expect(d.pty(1).signals.map((s) => s.signal)).toEqual(['SIGTERM']);
    await d.clock.advance(1);
    expect(d.pty(1).signals).toEqual([{ signal: 'SIGTERM', at: t0 }, { signal: 'SIGKILL', at: t0 + 500 }]);
    await d.clock.advance(999);
    expect(d.of('worker_exited')).toEqual([]);
    await d.clock.advance(1); // grace + 1 s: its last output is given up on
    const result = await d.run.result;
    expect(result).toMatchObject({ reason: 'terminated', exitCode: 143 });
    expect(d.of('worker_exited')[0]).toMatchObject({ reason: 'cancelled', duration_ms: 1500 });
    expect(d.clock.timers).toEqual([]);
  });

  it('an aborted signal stops the run like stop()', async () => {
    const abort = new AbortController();
    const d = drive({ tasks: tasks(3), workers: 1, signal: abort.signal });
    await settle();
    d.pty(1).onSignal = (signal) => d.pty(1).exit(null, signal);
    abort.abort();
    const result = await d.run.result;
    expect(result).toMatchObject({ reason: 'aborted', exitCode: 1, notStarted: ['2', '3'] });
  });

  it('without a task list, task n runs on slot n', async () => {
    const d = drive({ workers: 4 });
    await settle();
    expect(starts(d.frames)).toEqual(['1#1@w1', '2#1@w2', '3#1@w3', '4#1@w4']);
    for (const n of [1, 2, 3, 4]) d.pty(n).exit(0);
    expect((await d.run.result).ok).toBe(true);
  });
});
