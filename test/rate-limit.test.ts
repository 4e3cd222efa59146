// Rate limits are not failures (issue 15, item 2), end to end: the simulated agent's --rate-limit
// N makes the first N sessions of a run hit a usage limit (a rejected rate_limit_event with its
// reset time, an error result, exit 1), as Claude Code reports one. Real terminals and processes.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Frame, RunFinished } from '../src/frames/types.js';
import { parseFrames, relayAsync } from './helpers/cli.js';
import { ofType } from './helpers/frames.js';
import { tmp } from './helpers/temp.js';

const finished = (frames: Frame[]): RunFinished => frames.at(-1) as RunFinished;

async function run(args: string[], agentArgs: string[] = []): Promise<{ status: number | null; stderr: string; frames: Frame[] }> {
  const dir = tmp();
  const r = await relayAsync(['fanout', '--progress', 'none', ...args, '--', ...agentArgs], { env: { XDG_RUNTIME_DIR: dir, RELAY_SIM_RATE_LIMIT_DIR: join(dir, 'limits') } });
  return { status: r.status, stderr: r.stderr, frames: parseFrames(r.stdout) };
}

const TASKS = ['--task', 'one', '--task', 'two', '--task', 'three', '--task', 'four'];

describe('rate limits', () => {
  it('attempts that hit a limit run again after its reset without spending --retries; launches pause, the concurrency drops, the run ends ok', async () => {
    const r = await run(['--agent', 'sim', ...TASKS, '-w', '4', '--retries', '0'], ['--duration', '300ms', '--rate-limit', '3', '--rate-limit-reset', '1s']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const { frames } = r;
    expect(finished(frames)).toMatchObject({ ok: true, reason: 'completed', attempts: 7, counts: { ok: 4, total: 4 }, failed_tasks: [] });
    const limited = ofType(frames, 'worker_exited').filter((e) => e.attempt === 1 && e.reason === 'agent_error');
    expect(limited).toHaveLength(3);
    for (const e of limited) expect(e.error).toMatch(/usage limit reached/);
    const paused = ofType(frames, 'run_paused');
    expect(paused.map((p) => p.task_id).sort()).toEqual(limited.map((e) => e.task_id).sort());
    // 4 slots, halved at each limit, at least 1 (the one success in between may raise it by one).
    expect(paused[0]).toMatchObject({ reason: 'rate_limit', concurrency: 2 });
    expect(paused.at(-1)!.concurrency).toBeLessThanOrEqual(2);
    for (const p of paused) expect(p.until).toBe(Date.parse(p.resets_at!)); // the reset time the agent gave
    const until = Math.max(...paused.map((p) => p.until));
    // Nothing starts before the reset; then run_resumed, and at most its concurrency start at once.
    const resumed = ofType(frames, 'run_resumed');
    expect(resumed).toHaveLength(1);
    const at = frames.indexOf(resumed[0]!);
    expect(resumed[0]!.ts).toBeGreaterThanOrEqual(until);
    const retries = ofType(frames, 'worker_started').filter((s) => s.attempt === 2);
    expect(retries).toHaveLength(3);
    for (const s of retries) expect(frames.indexOf(s)).toBeGreaterThan(at);
    const firstExitAfter = frames.findIndex((f, i) => i > at && f.type === 'worker_exited');
    const burst = frames.slice(at, firstExitAfter).filter((f) => f.type === 'worker_started');
    expect(burst.length).toBeLessThanOrEqual(resumed[0]!.concurrency);
    expect(resumed[0]!.concurrency).toBeLessThan(4);
  });

  it('a limit spends no retry: limited once, then failing, a task still gets its --retries 1', async () => {
    const r = await run(['--agent', 'sim', '--task', 'one', '--retries', '1', '--retry-delay', '100ms'], ['--duration', '0', '--rate-limit', '1', '--rate-limit-reset', '500ms', '--exit-code', '3']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const exits = ofType(r.frames, 'worker_exited');
    expect(exits.map((e) => [e.attempt, e.reason])).toEqual([[1, 'agent_error'], [2, 'agent_error'], [3, 'agent_error']]);
    expect(exits[0]!.error).toMatch(/usage limit/);
    expect(ofType(r.frames, 'run_paused')).toHaveLength(1);
    expect(finished(r.frames)).toMatchObject({ ok: false, attempts: 3, failed_tasks: [expect.objectContaining({ task_id: '1', attempts: 3 })] });
  });

  it('--stagger DURATION: launches at least that far apart', async () => {
    const r = await run(['--task', 'a', '--task', 'b', '--task', 'c', '-w', '3', '--stagger', '400ms'], ['sh', '-c', 'exit 0']);
    expect(r.status).toBe(0);
    const starts = ofType(r.frames, 'worker_started').map((s) => s.ts);
    expect(starts).toHaveLength(3);
    // Stamped once spawned: a launch's own spawn time (tens of ms) may shorten the gap after it.
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(300);
    expect(starts[2]! - starts[0]!).toBeGreaterThanOrEqual(700);
    expect(ofType(r.frames, 'run_paused')).toHaveLength(0);
  });

  it('bad --stagger and sim --rate-limit values: one line on stderr, exit 2', async () => {
    for (const args of [['--stagger', 'soon'], ['--stagger', '-1s']]) {
      const r = await relayAsync(['fanout', '--progress', 'none', '--task', 'a', ...args, '--', 'true']);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    for (const args of [['--rate-limit', 'x'], ['--rate-limit', '2']]) {
      const r = await relayAsync(['agent', '--events', ...args], { env: { RELAY_SIM_RATE_LIMIT_DIR: '' } });
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/--rate-limit/);
    }
  });
});
