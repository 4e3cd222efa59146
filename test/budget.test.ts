// Budgets (issue 15, item 3) through the built CLI, with the simulated agent's event stream: its
// assistant messages carry token usage as they come, its result the session's cost. --hang keeps
// an agent running after its result, so a budget is reached while it still runs (Claude-style
// agents report their totals in their result).
import { beforeAll, describe, expect, it } from 'vitest';
import type { Frame, RunFinished, WorkerExited } from '../src/frames/types.js';
import { parseFrames, relayAsync } from './helpers/cli.js';
import { ofType } from './helpers/frames.js';
import { tmp } from './helpers/temp.js';

const TASKS = ['--task', 'one', '--task', 'two', '--task', 'three', '--task', 'four'];
const finished = (frames: Frame[]): RunFinished => frames.at(-1) as RunFinished;
const tokens = (e: WorkerExited): number => (e.agent ? e.agent.tokens.input + e.agent.tokens.output : 0);
const byTask = (frames: Frame[]): Map<string, WorkerExited> => new Map(ofType(frames, 'worker_exited').map((e) => [e.task_id, e]));

async function run(args: string[], agentArgs: string[]): Promise<{ status: number | null; stderr: string; frames: Frame[] }> {
  // Control sockets in a folder of the test's own (removed with it).
  const r = await relayAsync(['fanout', '--agent', 'sim', '--progress', 'none', '--grace', '500ms', ...args, '--', ...agentArgs], { env: { XDG_RUNTIME_DIR: tmp() } });
  return { status: r.status, stderr: r.stderr, frames: parseFrames(r.stdout) };
}

interface Spent {
  cost: number;
  tokens: number;
}

/** Each task's cost and tokens when nothing stops it (the sim's script depends only on its seed: task id and attempt). */
async function spending(): Promise<Map<string, Spent>> {
  const base = await run([...TASKS, '-w', '4'], ['--duration', '0']);
  expect(base.status).toBe(0);
  return new Map([...byTask(base.frames)].map(([id, e]) => [id, { cost: e.agent!.cost_usd, tokens: tokens(e) }]));
}

describe('budgets', () => {
  let spent = new Map<string, Spent>();
  let one: Spent;
  let two: Spent;
  beforeAll(async () => {
    spent = await spending();
    [one, two] = [spent.get('1')!, spent.get('2')!];
  }, 60_000);

  it('--max-tokens: once the run\'s tokens reach it, the running attempt is stopped (reason budget) and nothing more starts', async () => {
    // -w 1: task 1 alone reaches it, and hangs after its result until relay stops it.
    const r = await run([...TASKS, '-w', '1', '--max-tokens', String(one.tokens)], ['--duration', '0', '--hang']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const exits = ofType(r.frames, 'worker_exited');
    expect(exits).toEqual([expect.objectContaining({ task_id: '1', reason: 'budget', signal: 'SIGTERM' })]);
    expect(tokens(exits[0]!)).toBe(one.tokens);
    expect(finished(r.frames)).toMatchObject({ reason: 'budget', exit_code: 1, ok: false, not_started: ['2', '3', '4'], counts: { budget: 1, not_started: 3 } });
    expect(finished(r.frames).failed_tasks).toEqual([expect.objectContaining({ task_id: '1', reason: 'budget' })]);
  });

  it('--max-tokens above what the run spends: every task runs as usual', async () => {
    const total = [...spent.values()].reduce((n, s) => n + s.tokens, 0);
    const r = await run([...TASKS, '-w', '2', '--max-tokens', String(total + 1)], ['--duration', '0']);
    expect(r.status).toBe(0);
    expect(finished(r.frames)).toMatchObject({ reason: 'completed', ok: true, counts: { ok: 4 } });
    expect(finished(r.frames).counts.budget).toBeUndefined();
  });

  it('--max-cost: reached only when both running agents have reported their cost; both are stopped, the rest never start', async () => {
    const limit = (one.cost + two.cost) * 0.99;
    expect(limit).toBeGreaterThan(Math.max(one.cost, two.cost)); // neither alone reaches it
    const r = await run([...TASKS, '-w', '2', '--max-cost', limit.toFixed(7)], ['--duration', '0', '--hang']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const exits = byTask(r.frames);
    expect([...exits.keys()].sort()).toEqual(['1', '2']);
    for (const id of ['1', '2']) expect(exits.get(id)).toMatchObject({ reason: 'budget', agent: { cost_usd: spent.get(id)!.cost } });
    expect(finished(r.frames)).toMatchObject({ reason: 'budget', not_started: ['3', '4'], counts: { budget: 2, not_started: 2 } });
    expect(finished(r.frames).agent!.cost_usd).toBeCloseTo(one.cost + two.cost, 9);
  });

  it('--task-max-tokens: each attempt that reaches it is stopped (reason budget) and not retried; the run goes on', async () => {
    const limit = Math.ceil(Math.min(one.tokens, two.tokens) / 2);
    const r = await run(['--task', 'one', '--task', 'two', '-w', '2', '--retries', '2', '--task-max-tokens', String(limit)], ['--duration', '0', '--hang']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const exits = ofType(r.frames, 'worker_exited');
    expect(exits).toHaveLength(2); // no retries
    for (const e of exits) expect(e).toMatchObject({ reason: 'budget', attempt: 1 });
    // A per-task budget is no reason to stop the run.
    expect(finished(r.frames)).toMatchObject({ reason: 'completed', exit_code: 1, attempts: 2, counts: { budget: 2 } });
  });

  it('--task-max-cost: an agent whose cost reaches it is stopped at once; one within it runs on', async () => {
    const [cheap, dear] = one.cost < two.cost ? ['1', '2'] : ['2', '1'];
    const limit = (one.cost + two.cost) / 2;
    // Both hang after their result: the one within budget runs on until --timeout.
    const r = await run(['--task', 'one', '--task', 'two', '-w', '2', '--timeout', '3s', '--task-max-cost', limit.toFixed(7)], ['--duration', '0', '--hang']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const exits = byTask(r.frames);
    expect(exits.get(dear)).toMatchObject({ reason: 'budget', agent: { cost_usd: spent.get(dear)!.cost } });
    expect(exits.get(dear)!.duration_ms).toBeLessThan(2500);
    expect(exits.get(cheap)).toMatchObject({ reason: 'timeout' });
    expect(finished(r.frames)).toMatchObject({ reason: 'completed', counts: { budget: 1, timeout: 1 } });
  });

  it('bad budgets: one line on stderr, exit 2, nothing on stdout', async () => {
    for (const [flag, value] of [['--max-cost', '0'], ['--max-cost', 'abc'], ['--max-cost', '-1'], ['--max-cost', 'Infinity'], ['--task-max-cost', ''], ['--max-tokens', '0'], ['--task-max-tokens', '1.5'], ['--max-tokens', 'x']]) {
      const r = await relayAsync(['fanout', '--agent', 'sim', '--progress', 'none', '--task', 'a', flag!, value!]);
      expect(r.status, `${flag} ${value}`).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(flag!);
    }
  });
});
