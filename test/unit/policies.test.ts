// Every policy around the scheduler on a fake clock: timeout, idle, fail-fast, retry back-off, input.
import { describe, expect, it } from 'vitest';
import { drive, settle } from './fakes.js';

const tasks = (n: number): string[] => Array.from({ length: n }, (_, i) => `task ${i + 1}`);
const signalsOf = (signals: { signal: string; at: number }[], t0: number): string[] => signals.map((s) => `${s.signal}@${s.at - t0}`);

describe('timeout', () => {
  it('fires at exactly timeoutMs: SIGTERM, then SIGKILL after the grace period; reason "timeout"', async () => {
    const d = drive({ tasks: tasks(1), timeoutMs: 5000, graceMs: 3000 });
    await settle();
    const t0 = d.clock.time;
    await d.clock.advance(4999);
    expect(d.pty(1).signals).toEqual([]);
    await d.clock.advance(1);
    expect(signalsOf(d.pty(1).signals, t0)).toEqual(['SIGTERM@5000']);
    await d.clock.advance(2999);
    expect(signalsOf(d.pty(1).signals, t0)).toEqual(['SIGTERM@5000']);
    await d.clock.advance(1);
    expect(signalsOf(d.pty(1).signals, t0)).toEqual(['SIGTERM@5000', 'SIGKILL@8000']);
    d.pty(1).exit(null, 'SIGKILL');
    const result = await d.run.result;
    expect(d.of('worker_exited')[0]).toMatchObject({ reason: 'timeout', signal: 'SIGKILL', duration_ms: 8000 });
    expect(result).toMatchObject({ ok: false, exitCode: 1 });
    expect(result.counts.timeout).toBe(1);
  });

  it('a child that ends on SIGTERM gets no SIGKILL; one that ends in time is never signalled', async () => {
    const d = drive({ tasks: tasks(2), workers: 2, timeoutMs: 1000, graceMs: 3000 });
    await settle();
    d.pty(1).onSignal = (signal) => d.pty(1).exit(null, signal);
    await d.clock.advance(999);
    d.pty(2).exit(0);
    await d.clock.advance(1);
    await d.clock.advance(10_000);
    expect(d.pty(1).signals.map((s) => s.signal)).toEqual(['SIGTERM']);
    expect(d.pty(2).signals).toEqual([]);
    expect(d.of('worker_exited').map((f) => f.reason)).toEqual(['exit', 'timeout']);
    expect(d.clock.timers).toEqual([]);
    await d.run.result;
  });

  it('is per attempt: a retry gets the whole timeout again', async () => {
    const d = drive({ tasks: tasks(1), timeoutMs: 1000, retries: 1, retryDelayMs: 0, graceMs: 0 });
    await settle();
    const t0 = d.clock.time;
    const first = d.pty(1);
    first.onSignal = () => first.exit(null, 'SIGTERM');
    await d.clock.advance(1000);
    const second = d.pty(1);
    expect(second).not.toBe(first);
    second.onSignal = () => second.exit(null, 'SIGTERM');
    await d.clock.advance(999);
    expect(second.signals).toEqual([]);
    await d.clock.advance(1);
    expect(signalsOf(second.signals, t0)).toEqual(['SIGTERM@2000']);
    expect((await d.run.result).attempts).toBe(2);
  });
});

describe('idle', () => {
  it('reports at ms, again at 2 ms, 3 ms… of the same silence; output starts a new silence', async () => {
    const d = drive({ tasks: tasks(1), idleTimeoutMs: 1000 });
    await settle();
    const idleMs = (): number[] => d.of('worker_idle').map((f) => f.idle_ms);
    await d.clock.advance(999);
    expect(idleMs()).toEqual([]);
    await d.clock.advance(1);
    expect(idleMs()).toEqual([1000]);
    await d.clock.advance(2000);
    expect(idleMs()).toEqual([1000, 2000, 3000]);
    await d.clock.advance(500);
    d.pty(1).say('still here\n');
    await d.clock.advance(999);
    expect(idleMs()).toHaveLength(3);
    await d.clock.advance(1);
    expect(idleMs()).toEqual([1000, 2000, 3000, 1000]);
    expect(d.of('worker_idle')[0]).toMatchObject({ worker: 'w1', task: 1, task_id: '1', attempt: 1 });
    expect(d.pty(1).signals).toEqual([]);
    d.pty(1).exit(0);
    expect((await d.run.result).ok).toBe(true);
    expect(d.clock.timers).toEqual([]);
  });

  it('with killIdle: stopped at ms (SIGTERM), reason "idle"', async () => {
    const d = drive({ tasks: tasks(1), idleTimeoutMs: 1000, killIdle: true });
    await settle();
    const t0 = d.clock.time;
    d.pty(1).onSignal = (signal) => d.pty(1).exit(null, signal);
    await d.clock.advance(1000);
    expect(signalsOf(d.pty(1).signals, t0)).toEqual(['SIGTERM@1000']);
    expect(d.of('worker_idle')).toHaveLength(1);
    expect(d.of('worker_exited')[0]).toMatchObject({ reason: 'idle' });
    expect((await d.run.result).counts.idle).toBe(1);
  });

  it('time spent paused because nobody reads the frames is not counted', async () => {
    const d = drive({ tasks: tasks(1), idleTimeoutMs: 1000, killIdle: true, highWaterMark: 4096, read: false });
    await settle();
    d.pty(1).say('x'.repeat(8192)); // past the high watermark: the run pauses the terminal
    await settle();
    expect(d.pty(1).paused).toBe(true);
    await d.clock.advance(60_000);
    expect(d.of('worker_idle')).toEqual([]);
    d.read(); // the reader catches up: the terminal resumes and the quiet period starts now
    await settle();
    expect(d.pty(1).paused).toBe(false);
    await d.clock.advance(999);
    expect(d.of('worker_idle')).toEqual([]);
    await d.clock.advance(1);
    expect(d.of('worker_idle').map((f) => f.idle_ms)).toEqual([1000]);
    d.pty(1).exit(null, 'SIGTERM');
    await d.run.result;
  });
});

describe('fail-fast / max failures', () => {
  it('after N tasks failed for good, the running ones are cancelled and the rest never start', async () => {
    const d = drive({ tasks: tasks(6), workers: 2, maxFailures: 2 });
    await settle();
    d.pty(1).exit(1);
    await settle();
    expect(d.of('worker_started').map((f) => f.task)).toEqual([1, 2, 3]);
    d.pty(3).onSignal = (signal) => d.pty(3).exit(null, signal);
    d.pty(2).exit(7);
    const result = await d.run.result;
    expect(d.pty(3).signals.map((s) => s.signal)).toEqual(['SIGTERM']);
    expect(result).toMatchObject({ reason: 'fail_fast', exitCode: 1, notStarted: ['4', '5', '6'] });
    expect(result.counts).toMatchObject({ failed: 2, cancelled: 1, not_started: 3 });
    expect(result.failedTasks.map((t) => t.task_id)).toEqual(['1', '2']);
  });

  it('counts a task once its retries are used up, and cancelled tasks never count', async () => {
    const d = drive({ tasks: tasks(3), workers: 1, maxFailures: 1, retries: 1, retryDelayMs: 0 });
    await settle();
    d.pty(1).exit(1);
    await settle();
    expect(d.run.tasks.running).toBe(1); // the retry, not a stop
    d.pty(1).exit(1);
    const result = await d.run.result;
    expect(result).toMatchObject({ reason: 'fail_fast', attempts: 2, notStarted: ['2', '3'] });
  });
});

describe('retry back-off', () => {
  /** Fails every attempt at once; returns when each attempt started, relative to the first. */
  async function backOff(retries: number, retryDelayMs: number): Promise<number[]> {
    const d = drive({ tasks: tasks(1), retries, retryDelayMs });
    await settle();
    const t0 = d.clock.time;
    for (let attempt = 1; attempt <= retries + 1; attempt += 1) {
      d.pty(1).exit(1);
      await settle();
      const wait = d.clock.timers[0];
      if (wait === undefined) break;
      await d.clock.advance(wait - 1);
      expect(d.of('worker_started')).toHaveLength(attempt); // not a millisecond early
      await d.clock.advance(1);
    }
    const result = await d.run.result;
    expect(result.attempts).toBe(retries + 1);
    expect(result.tasks[0]!.attempts).toBe(retries + 1);
    return d.of('worker_started').map((f) => f.ts - t0);
  }

  it('doubles from the base delay per further attempt, capped at 60 s', async () => {
    expect(await backOff(7, 10_000)).toEqual([0, 10_000, 30_000, 70_000, 130_000, 190_000, 250_000, 310_000]);
  });

  it('a base longer than the cap is kept as it is, not doubled', async () => {
    expect(await backOff(3, 90_000)).toEqual([0, 90_000, 180_000, 270_000]);
  });

  it('a command that cannot start is not retried', async () => {
    const d = drive({ tasks: tasks(1), retries: 3, command: ['relay-test-no-such-command'] });
    const result = await d.run.result;
    expect(result).toMatchObject({ attempts: 1 });
    expect(d.of('worker_exited')[0]).toMatchObject({ reason: 'spawn_error', exit_code: 127 });
    expect(d.ptys).toEqual([]);
  });
});

describe('input', () => {
  it('is typed into every attempt as soon as it has started, before any output', async () => {
    const d = drive({ tasks: tasks(2), workers: 1, input: 'yes\n', retries: 1, retryDelayMs: 0 });
    await settle();
    expect(d.pty(1).typed).toEqual(['yes\n']);
    d.pty(1).exit(1);
    await settle();
    expect(d.pty(1).typed).toEqual(['yes\n']); // the retry's own terminal
    d.pty(1).exit(0);
    await settle();
    expect(d.pty(2).typed).toEqual(['yes\n']);
    d.pty(2).exit(0);
    await d.run.result;
    expect(d.ptys.map((p) => p.typed)).toEqual([['yes\n'], ['yes\n'], ['yes\n']]);
  });
});
