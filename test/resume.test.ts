// Tasks as the unit across runs and machines: --resume-from, --shard auto, --notify. Real CLI,
// real shells; frames checked against the schema.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shardFromEnv } from '../src/tasks/shard.js';
import { expectUsageError, parseFrames, relayAsync } from './helpers/cli.js';
import { tmp } from './helpers/temp.js';

/** Fails tasks whose text says "flaky" until the file `fixed` exists in the cwd. */
const FLAKY = ['sh', '-c', 'case "$1" in *flaky*) [ -e fixed ] || exit 3;; esac; echo "ran $1"', '_', '{}'];

const finished = (stdout: string) => parseFrames(stdout).at(-1)!;
const ran = (stdout: string) => parseFrames(stdout).flatMap((f) => (f.type === 'worker_started' ? [f.task_id] : []));

describe('--resume-from', () => {
  it('runs only the tasks that did not succeed (failed, never started), 5 tasks on 2 workers, and accounts for the rest', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'tasks.txt'), 'one\ntwo flaky\nthree\n{"id":"four","prompt":"four flaky"}\nfive\n');
    const first = await relayAsync(['fanout', '--tasks', 'tasks.txt', '-w', '2', '--progress', 'none', '--', ...FLAKY], { cwd: dir });
    expect(first.status).toBe(1);
    expect(finished(first.stdout)).toMatchObject({ counts: { ok: 3, failed: 2 } });
    writeFileSync(join(dir, 'run1.ndjson'), first.stdout);
    writeFileSync(join(dir, 'fixed'), '');

    const second = await relayAsync(['fanout', '--tasks', 'tasks.txt', '-w', '2', '--progress', 'plain', '--resume-from', 'run1.ndjson', '--', ...FLAKY], { cwd: dir });
    expect(second.status).toBe(0);
    expect(ran(second.stdout).sort()).toEqual(['2', 'four']);
    const frames = parseFrames(second.stdout);
    const started = frames[0]!;
    expect(started).toMatchObject({ type: 'run_started', tasks: 5, resume: { skipped: ['1', '3', '5'] } });
    expect(started.type === 'run_started' && started.resume?.from).toBe(parseFrames(first.stdout)[0]!.type === 'run_started' ? (parseFrames(first.stdout)[0] as { run_id: string }).run_id : '');
    expect(finished(second.stdout)).toMatchObject({ ok: true, exit_code: 0, counts: { total: 5, ok: 2, skipped: 3, failed: 0, not_started: 0 }, not_started: [] });
    expect(second.stderr).toMatch(/5 tasks: 2 ok, 3 skipped/);

    // Resuming the resumed run: everything succeeded by now, nothing runs.
    writeFileSync(join(dir, 'run2.ndjson'), second.stdout);
    const third = await relayAsync(['fanout', '--tasks', 'tasks.txt', '--progress', 'none', '--resume-from', 'run2.ndjson', '--', ...FLAKY], { cwd: dir });
    expect(third.status).toBe(0);
    expect(ran(third.stdout)).toEqual([]);
    expect(finished(third.stdout)).toMatchObject({ ok: true, counts: { total: 5, skipped: 5 } });
  });

  it('resumes a run cut off mid-stream (no run_finished, last line cut in half): tasks never started run', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'tasks.txt'), 'a\nb\nc\nd\n');
    const full = await relayAsync(['fanout', '--tasks', 'tasks.txt', '-w', '1', '--progress', 'none', '--', 'echo', '{}'], { cwd: dir });
    const lines = full.stdout.split('\n');
    // Keep everything up to the second task's worker_exited, then half of the next line.
    const cut = lines.findIndex((l) => l.includes('"worker_exited"') && l.includes('"task_id":"2"'));
    writeFileSync(join(dir, 'cut.ndjson'), lines.slice(0, cut + 1).join('\n') + '\n' + lines[cut + 1]!.slice(0, 20));
    const r = await relayAsync(['fanout', '--tasks', 'tasks.txt', '-w', '1', '--progress', 'none', '--resume-from', 'cut.ndjson', '--', 'echo', '{}'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(ran(r.stdout)).toEqual(['3', '4']);
  });

  it('refuses a frame file that does not match, in one line, exit 2, nothing on stdout', { timeout: 180_000 }, async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'tasks.txt'), 'a\nb\n');
    writeFileSync(join(dir, 'other.txt'), 'b\na\n');
    const run = await relayAsync(['fanout', '--tasks', 'tasks.txt', '--progress', 'none', '--', 'true'], { cwd: dir });
    writeFileSync(join(dir, 'run.ndjson'), run.stdout);
    const plain = await relayAsync(['fanout', '-w', '2', '--progress', 'none', '--', 'true'], { cwd: dir });
    writeFileSync(join(dir, 'plain.ndjson'), plain.stdout);
    writeFileSync(join(dir, 'junk.ndjson'), 'not json\n');
    const cases: [string[], RegExp][] = [
      [['--tasks', 'other.txt', '--resume-from', 'run.ndjson'], /--resume-from run\.ndjson: its task list differs/],
      [['--tasks', 'tasks.txt', '--shard', '1/2', '--resume-from', 'run.ndjson'], /that run had --shard none, this one 1\/2/],
      [['--tasks', 'tasks.txt', '--resume-from', 'plain.ndjson'], /that run had no task list/],
      [['--resume-from', 'run.ndjson'], /needs the same task list/],
      [['--tasks', 'tasks.txt', '--resume-from', 'missing.ndjson'], /missing\.ndjson/],
      [['--tasks', 'tasks.txt', '--resume-from', 'junk.ndjson'], /junk\.ndjson/],
    ];
    for (const [args, pattern] of cases) expectUsageError(await relayAsync(['fanout', ...args, '--', 'true'], { cwd: dir }), pattern);
  });
});

describe('--shard auto', () => {
  const cases: [NodeJS.ProcessEnv, string, { k: number; n: number }][] = [
    [{ CI_NODE_INDEX: '1', CI_NODE_TOTAL: '3' }, 'auto', { k: 1, n: 3 }], // GitLab: 1-based
    [{ CI_NODE_INDEX: '3', CI_NODE_TOTAL: '3' }, 'auto/3', { k: 3, n: 3 }],
    [{ CIRCLE_NODE_INDEX: '0', CIRCLE_NODE_TOTAL: '4' }, 'auto', { k: 1, n: 4 }], // CircleCI: 0-based
    [{ BUILDKITE_PARALLEL_JOB: '2', BUILDKITE_PARALLEL_JOB_COUNT: '3' }, 'auto', { k: 3, n: 3 }], // Buildkite: 0-based
    [{ JOB_COMPLETION_INDEX: '4' }, 'auto/5', { k: 5, n: 5 }], // Kubernetes Indexed Job: 0-based, count given
    [{}, '2/7', { k: 2, n: 7 }],
  ];
  it.each(cases)('%o with %s is shard %o', (env, text, shard) => expect(shardFromEnv(text, env)).toEqual(shard));

  it('says what is missing or inconsistent, in one line, exit 2', { timeout: 180_000 }, async () => {
    const bad: [NodeJS.ProcessEnv, string, RegExp][] = [
      [{}, 'auto', /no CI shard variables found/],
      [{ JOB_COMPLETION_INDEX: '0' }, 'auto', /Kubernetes Indexed Job gives JOB_COMPLETION_INDEX but not the count: use auto\/N/],
      [{ CI_NODE_INDEX: '1', CI_NODE_TOTAL: '3' }, 'auto/4', /GitLab CI says CI_NODE_TOTAL=3/],
      [{ CIRCLE_NODE_INDEX: '4', CIRCLE_NODE_TOTAL: '4' }, 'auto', /CIRCLE_NODE_INDEX=4 is not an index of 4 jobs/],
      [{ JOB_COMPLETION_INDEX: 'x' }, 'auto/2', /JOB_COMPLETION_INDEX=x/],
    ];
    for (const [env, text, pattern] of bad) {
      // The CI's own variables of this machine must not leak into the case.
      const clean = { CI_NODE_INDEX: '', CIRCLE_NODE_INDEX: '', BUILDKITE_PARALLEL_JOB: '', JOB_COMPLETION_INDEX: '', ...env };
      expectUsageError(await relayAsync(['fanout', '--task', 'a', '--shard', text, '--', 'true'], { env: clean }), pattern);
    }
  });

  it('N simulated Indexed Job pods cover the list exactly once, and their frames merge', { timeout: 180_000 }, async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'tasks.txt'), Array.from({ length: 7 }, (_, i) => `task ${i + 1}`).join('\n'));
    const files: string[] = [];
    for (const index of [0, 1, 2]) {
      const r = await relayAsync(['fanout', '--tasks', 'tasks.txt', '--shard', 'auto/3', '--progress', 'none', '--', 'echo', '{}'], { cwd: dir, env: { JOB_COMPLETION_INDEX: String(index), CI_NODE_INDEX: '', CIRCLE_NODE_INDEX: '', BUILDKITE_PARALLEL_JOB: '' } });
      expect(r.status).toBe(0);
      writeFileSync(join(dir, `shard-${index}.ndjson`), r.stdout);
      files.push(`shard-${index}.ndjson`);
    }
    const merged = await relayAsync(['merge', ...files], { cwd: dir });
    expect(merged.status).toBe(0);
    expect(ran(merged.stdout).map(Number).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('merging agent shards sums their agent totals', { timeout: 180_000 }, async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'tasks.txt'), 'a\nb\nc\n');
    const totals: { cost_usd: number; events: { result: number } }[] = [];
    for (const k of [1, 2]) {
      const r = await relayAsync(['fanout', '--agent', 'sim', '--tasks', 'tasks.txt', '--shard', `${k}/2`, '--progress', 'none', '-o', `s${k}.ndjson`, '--', '--duration', '0'], { cwd: dir });
      expect(r.status).toBe(0);
      totals.push((parseFrames(readFileSync(join(dir, `s${k}.ndjson`), 'utf8')).at(-1) as { agent: { cost_usd: number; events: { result: number } } }).agent);
    }
    const merged = finished((await relayAsync(['merge', 's1.ndjson', 's2.ndjson'], { cwd: dir })).stdout) as { agent: { cost_usd: number; events: { result: number } } };
    expect(merged.agent.events.result).toBe(3);
    expect(merged.agent.cost_usd).toBeCloseTo(totals[0]!.cost_usd + totals[1]!.cost_usd, 6);
  });
});

describe('--notify', () => {
  it('runs the command on a failed attempt, a waiting agent and the end of the run, with the frame on stdin; stdout stays frames only', async () => {
    const dir = tmp();
    const log = join(dir, 'notes.log');
    const hook = `printf '%s %s %s %s ' "$RELAY_EVENT" "$RELAY_TASK_ID" "$RELAY_REASON" "$RELAY_EXIT_CODE" >> ${log}; jq -c '{type, task_id}' >> ${log}; echo "said $RELAY_EVENT"`;
    const r = await relayAsync(['fanout', '--agent', 'sim', '--task', 'fine', '--task', 'also fine', '-w', '2', '--progress', 'none', '--notify', hook, '--', '--duration', '0'], { cwd: dir });
    expect(r.status).toBe(0);
    parseFrames(r.stdout); // every stdout line is a frame: the hook's own output went to stderr
    expect(r.stderr).toContain('said run_finished');
    const notes = readFileSync(log, 'utf8').trim().split('\n');
    expect(notes).toEqual(['run_finished  completed 0 {"type":"run_finished","task_id":null}']);

    const failing = await relayAsync(['fanout', '--task', 'ok', '--task', 'bad', '--progress', 'none', '--notify', hook, '--', 'sh', '-c', '[ "$1" = ok ]', '_', '{}'], { cwd: dir });
    expect(failing.status).toBe(1);
    const more = readFileSync(log, 'utf8').trim().split('\n').slice(1);
    expect(more).toEqual(['attempt_failed 2 exit 1 {"type":"worker_exited","task_id":"2"}', 'run_finished  completed 1 {"type":"run_finished","task_id":null}']);

    const asking = await relayAsync(['fanout', '--agent', 'sim', '--task', 'q', '--progress', 'none', '--on-input', 'answer:yes', '--notify', hook, '--', '--ask', '--duration', '0'], { cwd: dir });
    expect(asking.status).toBe(0);
    expect(readFileSync(log, 'utf8').trim().split('\n').slice(3)).toEqual(['awaiting_input 1   {"type":"agent_event","task_id":"1"}', 'run_finished  completed 0 {"type":"run_finished","task_id":null}']);
  });

  it('a notify command that fails or never reads its stdin costs the run nothing but a line on stderr', async () => {
    const r = await relayAsync(['fanout', '--task', 'x', '--progress', 'none', '--notify', 'exit 4', '--', 'true']);
    expect(r.status).toBe(0);
    expect(finished(r.stdout)).toMatchObject({ ok: true });
    expect(r.stderr).toMatch(/relay: --notify: the command exited 4 on run_finished/);
  });
});
