// Shards and `relay merge` (issue 5), against the built CLI: the merged stream must pass the
// same frame validation as any run (src/frames/validate.ts, from the protocol's schemas).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { frameError } from '../src/frames/validate.js';
import type { Frame, RunFinished } from '../src/frames/types.js';
import { expectUsageError, parseFrames, relayAsync, shell } from './helpers/cli.js';
import { tmp } from './helpers/temp.js';

const TASKS = 10;

/** Runs shard k of 3 of a 10-task list (task 7 fails) into dir/shard-k.ndjson. */
async function runShards(dir: string): Promise<{ file: (k: number) => string; statuses: (number | null)[] }> {
  const list = join(dir, 'tasks.txt');
  writeFileSync(list, Array.from({ length: TASKS }, (_, i) => `task ${i + 1}`).join('\n'));
  const file = (k: number): string => join(dir, `shard-${k}.ndjson`);
  const statuses: (number | null)[] = [];
  for (const k of [1, 2, 3]) {
    statuses.push((await relayAsync(['fanout', '--tasks', list, '--shard', `${k}/3`, '-w', '2', '--progress', 'none', '-o', file(k), '--', 'sh', '-c', 'echo "$1"; [ {#} != 7 ]', '_', '{}'])).status);
  }
  return { file, statuses };
}

function validStream(text: string): Frame[] {
  const frames = parseFrames(text);
  frames.forEach((f, i) => expect(frameError(f), `line ${i + 1}`).toBeUndefined());
  expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i + 1));
  expect(frames.filter((f) => f.type === 'run_started')).toHaveLength(1);
  expect(frames.filter((f) => f.type === 'run_finished')).toHaveLength(1);
  expect(frames[0]!.type).toBe('run_started');
  expect(frames.at(-1)!.type).toBe('run_finished');
  return frames;
}

describe('shards and relay merge', () => {
  it('shards 1/3, 2/3, 3/3 cover the task list exactly once, and `relay merge` of their files is one valid stream summing them', async () => {
    const dir = tmp('relay-merge-');
    const { file, statuses } = await runShards(dir);
    // Task 7 is in shard 1 (7 → ((7 - 1) mod 3) + 1): that shard fails, the others pass.
    expect(statuses).toEqual([1, 0, 0]);
    const ran = [1, 2, 3].map((k) => parseFrames(readFileSync(file(k), 'utf8')).flatMap((f) => (f.type === 'worker_exited' ? [f.task] : [])));
    expect(ran.map((tasks) => [...tasks].sort((a, b) => a - b))).toEqual([[1, 4, 7, 10], [2, 5, 8], [3, 6, 9]]);
    expect(ran.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: TASKS }, (_, i) => i + 1));

    const merged = await relayAsync(['merge', file(1), file(2), file(3)]);
    expect(merged.status).toBe(0);
    expect(merged.stderr).toBe('');
    const frames = validStream(merged.stdout);
    expect(frames[0]).toMatchObject({ type: 'run_started', tasks: TASKS, workers: 2 });
    expect(frames[0]).not.toHaveProperty('shard');
    const shardEnds = [1, 2, 3].map((k) => parseFrames(readFileSync(file(k), 'utf8')).at(-1) as RunFinished);
    const end = frames.at(-1) as RunFinished;
    for (const key of Object.keys(end.counts) as (keyof RunFinished['counts'])[]) {
      expect(end.counts[key], key).toBe(shardEnds.reduce((n, e) => n + (e.counts[key] ?? 0), 0));
    }
    expect(end).toMatchObject({ ok: false, exit_code: 1, reason: 'completed', attempts: TASKS, counts: { total: TASKS, ok: TASKS - 1, failed: 1 }, failed_tasks: [{ task: 7 }] });
    // Every frame of every shard is there once, in the order the files were given.
    const body = (text: string): string[] => parseFrames(text).filter((f) => f.type !== 'run_started' && f.type !== 'run_finished').map((f) => JSON.stringify({ ...f, seq: 0 }));
    expect(frames.slice(1, -1).map((f) => JSON.stringify({ ...f, seq: 0 }))).toEqual([1, 2, 3].flatMap((k) => body(readFileSync(file(k), 'utf8'))));

    // Passes jq's reading of the protocol too.
    const jq = await shell(`relay merge ${file(1)} ${file(2)} ${file(3)} | jq -s '[.[].seq] == [range(1; length + 1)] and (map(select(.type=="run_finished")) | length == 1)'`);
    expect(jq.stdout.trim()).toBe('true');
  });

  it('rejects a malformed or incomplete input file with one line naming file and line, exit 2 and nothing on stdout', async () => {
    const dir = tmp('relay-merge-');
    const { file } = await runShards(dir);
    const lines = readFileSync(file(2), 'utf8').trimEnd().split('\n');
    const write = (name: string, content: string[]): string => {
      writeFileSync(join(dir, name), content.map((l) => `${l}\n`).join(''));
      return join(dir, name);
    };
    const cases: [string, RegExp][] = [
      [write('garbage.ndjson', [...lines.slice(0, 3), 'not json', ...lines.slice(3)]), /garbage.ndjson line 4: not JSON/],
      [write('gap.ndjson', [...lines.slice(0, 2), ...lines.slice(3)]), /gap.ndjson line 3: seq 4, expected 3/],
      [write('cut.ndjson', lines.slice(0, -1)), /cut.ndjson line \d+: no run_finished/],
      [write('invalid.ndjson', [lines[0]!.replace('"workers":', '"workers_":')]), /invalid.ndjson line 1: invalid run_started frame/],
      [join(dir, 'missing.ndjson'), /cannot read .*missing.ndjson: ENOENT/],
      [file(1), /shard-1.ndjson: shard 1\/3 was already given/],
    ];
    for (const [bad, pattern] of cases) {
      expectUsageError(await relayAsync(['merge', file(1), bad, file(3)]), pattern);
    }
  });

  it('a shard set with shards missing from 1..N is not ok (exit 1) unless --allow-partial accepts it; the stream is valid either way', async () => {
    const dir = tmp('relay-merge-');
    const { file } = await runShards(dir);
    const r = await relayAsync(['merge', file(2), file(3)]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('relay: merge: shard 1/3 not given: the merged run is not ok (--allow-partial accepts a partial set)\n');
    expect(validStream(r.stdout).at(-1)).toMatchObject({ ok: false, exit_code: 1, counts: { total: 6, ok: 6 } });
    const partial = await relayAsync(['merge', '--allow-partial', file(2), file(3)]);
    expect(partial.status).toBe(0);
    expect(partial.stderr).toBe('relay: merge: shard 1/3 not given (accepted: --allow-partial)\n');
    expect(validStream(partial.stdout).at(-1)).toMatchObject({ ok: true, exit_code: 0, counts: { total: 6, ok: 6 } });
  });
});
