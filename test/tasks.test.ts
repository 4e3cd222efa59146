// Task lists and the policies around them (issue 5), against the built CLI with real workers in
// real terminals.
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import stripAnsi from 'strip-ansi';
import { describe, expect, it } from 'vitest';
import type { Frame, RunFinished, WorkerExited, WorkerStarted } from '../src/frames/types.js';
import { fanout } from '../src/index.js';
import { expectUsageError, parseFrames, relayAsync } from './helpers/cli.js';
import { processesMarked, waitGone } from './helpers/procs.js';
import { tmp } from './helpers/temp.js';
import { byAttempt, ofType, transcripts as allTranscripts } from './helpers/frames.js';

const AGENT = [process.execPath, 'dist/sim/main.js'];

function tasksFile(lines: string[]): string {
  const file = join(tmp(), 'tasks.txt');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

const finished = (frames: Frame[]): RunFinished => frames.at(-1) as RunFinished;

/** Transcript of each task's attempts, keyed "task/attempt". */
const transcripts = (frames: Frame[]): Map<string, string> => allTranscripts(frames, byAttempt);

describe('task lists', () => {
  it('runs 40 tasks on 9 workers: each exactly once, at most 9 at a time, every attempt bracketed on its slot', async () => {
    const lines = Array.from({ length: 40 }, (_, i) => `task number ${i + 1}`);
    // Tasks 1..9 (the first wave) wait until all nine run: only true concurrency of 9 gets past it.
    const dir = tmp();
    const script = `touch ${dir}/{#}; if [ {#} -le 9 ]; then while [ $(ls ${dir} | wc -l) -lt 9 ]; do sleep 0.02; done; fi; echo "ran: $RELAY_TASK"`;
    const r = await relayAsync(['fanout', '--tasks', tasksFile(lines), '--workers', '9', '--progress', 'none', '--', 'sh', '-c', script]);
    expect(r.status).toBe(0);
    const frames = parseFrames(r.stdout);
    expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i + 1));
    expect(frames[0]).toMatchObject({ type: 'run_started', workers: 9, tasks: 40 });
    const started = ofType(frames, 'worker_started');
    expect(started.map((f) => f.task).sort((a, b) => a - b)).toEqual(lines.map((_, i) => i + 1));
    expect(new Set(started.map((f) => f.worker))).toEqual(new Set(Array.from({ length: 9 }, (_, i) => `w${i + 1}`)));
    let running = 0;
    let peak = 0;
    const open = new Map<string, number>(); // worker → task it runs
    for (const f of frames) {
      if (f.type === 'worker_started') {
        expect(open.has(f.worker)).toBe(false); // a slot runs one task at a time
        open.set(f.worker, f.task);
        peak = Math.max(peak, (running += 1));
      }
      if (f.type === 'worker_stream') expect(open.get(f.worker)).toBe(f.task);
      if (f.type === 'worker_exited') {
        expect(open.get(f.worker)).toBe(f.task);
        open.delete(f.worker);
        running -= 1;
      }
    }
    expect(peak).toBe(9);
    const all = transcripts(frames);
    for (let i = 1; i <= 40; i++) expect(all.get(`${i}/1`)).toBe(`ran: task number ${i}\r\n`);
    expect(finished(frames)).toMatchObject({ ok: true, exit_code: 0, counts: { total: 40, ok: 40 }, attempts: 40, not_started: [], failed_tasks: [] });
    expect(finished(frames).slowest).toHaveLength(5);
  });

  it('fills {} {#} {id} {%}, sets RELAY_TASK / RELAY_TASK_ID, and honours a JSON line\'s cwd and env', async () => {
    const dir = tmp();
    const file = tasksFile(['plain text task', '', JSON.stringify({ id: 'json-task', prompt: 'from {json}', cwd: dir, env: { EXTRA: 'x1' } })]);
    const r = await relayAsync(['fanout', '--tasks', file, '-w', '1', '--progress', 'none', '--', 'sh', '-c', 'echo "[$1][$2][$3][$4][$RELAY_TASK][$RELAY_TASK_ID][$(pwd)][$EXTRA]"', '_', '{}', '{#}', '{id}', 'w{%}']);
    expect(r.status).toBe(0);
    const frames = parseFrames(r.stdout);
    const all = transcripts(frames);
    expect(all.get('1/1')).toBe(`[plain text task][1][1][w1][plain text task][1][${process.cwd()}][]\r\n`);
    // Blank lines are skipped: the JSON line is task 2. "{json}" in the text is not expanded again.
    expect(all.get('2/1')).toBe(`[from {json}][2][json-task][w1][from {json}][json-task][${dir}][x1]\r\n`);
    expect(ofType(frames, 'worker_exited').map((f) => [f.task, f.task_id, f.attempt])).toEqual([[1, '1', 1], [2, 'json-task', 1]]);
  });

  it('appends the task as the last argument when the command has no placeholder; reads --tasks - from stdin', async () => {
    const r = await relayAsync(['fanout', '--tasks', '-', '--task', 'third one', '--progress', 'none', '--', 'sh', '-c', 'echo "[$#][$1]"', '_'], { input: 'first task\nsecond task\n' });
    expect(r.status).toBe(0);
    const all = transcripts(parseFrames(r.stdout));
    expect([...all.keys()].sort()).toEqual(['1/1', '2/1', '3/1']);
    expect(all.get('1/1')).toBe('[1][first task]\r\n');
    expect(all.get('3/1')).toBe('[1][third one]\r\n');
  });

  it('gives the built-in agent the task as its prompt (no command given)', async () => {
    const r = await relayAsync(['fanout', '--task', 'fix the login bug', '--progress', 'none']);
    expect(r.status).toBe(0);
    expect(stripAnsi(transcripts(parseFrames(r.stdout)).get('1/1')!)).toMatch(/sim-agent · w1[\s\S]*> fix the login bug\r\n/);
  });

  it('prints a summary on stderr: tasks by outcome, the failed ones, the slowest', async () => {
    const r = await relayAsync(['fanout', '--task', 'a', '--task', 'b', '--task', 'c', '--progress', 'plain', '--', 'sh', '-c', 'test "$1" != b', '_']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/relay: run completed in [\d.]+s: 3 tasks: 2 ok, 1 failed\n/);
    expect(r.stderr).toMatch(/relay: failed: #2 \(exit 1\)\n/);
    expect(r.stderr).toMatch(/relay: slowest: #\d [\d.]+s, #\d [\d.]+s, #\d [\d.]+s\n/);
    expect(finished(parseFrames(r.stdout))).toMatchObject({ ok: false, exit_code: 1, failed_tasks: [{ task: 2, task_id: '2', reason: 'exit', exit_code: 1, attempts: 1 }] });
  });
});

describe('failure policy', () => {
  it('--fail-fast cancels the running tasks, starts no more, lists them as not started, and leaves no process behind', async () => {
    const mark = randomUUID();
    const dir = tmp();
    // Every task marks that it runs; task 4 (the last of the first wave) fails once all 4 run.
    const script = `touch ${dir}/running.{#}; if [ {#} = 4 ]; then while [ $(ls ${dir} | wc -l) -lt 4 ]; do sleep 0.05; done; exit 3; fi; sleep 300 & wait`;
    const lines = Array.from({ length: 20 }, (_, i) => `t${i + 1}`);
    const r = await relayAsync(['fanout', '--tasks', tasksFile(lines), '-w', '4', '--fail-fast', '--grace', '500ms', '--progress', 'none', '--', 'bash', '-c', script], { env: { RELAY_TEST_MARK: mark } });
    expect(r.status).toBe(1);
    const frames = parseFrames(r.stdout);
    const exited = ofType(frames, 'worker_exited');
    expect(exited.find((f) => f.task === 4)).toMatchObject({ reason: 'exit', exit_code: 3 });
    expect(exited.filter((f) => f.task !== 4).map((f) => f.reason)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(ofType(frames, 'worker_started')).toHaveLength(4);
    expect(finished(frames)).toMatchObject({
      ok: false,
      exit_code: 1,
      reason: 'fail_fast',
      counts: { total: 20, failed: 1, cancelled: 3, not_started: 16 },
      not_started: lines.slice(4).map((_, i) => String(i + 5)),
      failed_tasks: [{ task: 4, reason: 'exit', exit_code: 3 }],
    });
    expect(await waitGone(processesMarked(mark), 2000)).toEqual([]);
  });

  it('--max-failures N stops after the N-th failure, not before', async () => {
    const r = await relayAsync(['fanout', '--tasks', tasksFile(['1', '2', '3', '4', '5', '6']), '-w', '1', '--max-failures', '2', '--progress', 'none', '--', 'sh', '-c', 'exit $(({#} % 2))']);
    expect(r.status).toBe(1);
    const f = finished(parseFrames(r.stdout));
    // Tasks 1 (fails), 2 (ok), 3 (fails: the second failure) ran; 4..6 never started.
    expect(f).toMatchObject({ reason: 'fail_fast', counts: { ok: 1, failed: 2, not_started: 3 }, not_started: ['4', '5', '6'] });
  });

  it('runs every task by default and exits 1 when any failed', async () => {
    const r = await relayAsync(['fanout', '--tasks', tasksFile(['1', '2', '3', '4']), '-w', '2', '--progress', 'none', '--', 'sh', '-c', 'exit $(({#} % 2))']);
    expect(r.status).toBe(1);
    expect(finished(parseFrames(r.stdout))).toMatchObject({ reason: 'completed', counts: { ok: 2, failed: 2, not_started: 0 } });
  });
});

describe('time', () => {
  it('--timeout stops an attempt (SIGTERM to its group, SIGKILL after --grace) with reason "timeout", within a generous margin', async () => {
    const r = await relayAsync(['fanout', '--task', 'polite', '--task', 'stubborn', '--timeout', '500ms', '--grace', '300ms', '--progress', 'none', '--',
      'bash', '-c', 'if [ {#} = 2 ]; then trap "" TERM; fi; while :; do sleep 0.05; done']);
    expect(r.status).toBe(1);
    const frames = parseFrames(r.stdout);
    const exitOf = (n: number): WorkerExited => ofType(frames, 'worker_exited').find((f) => f.task === n)!;
    const [polite, stubborn] = [exitOf(1), exitOf(2)];
    expect(polite).toMatchObject({ reason: 'timeout', signal: 'SIGTERM', exit_code: null });
    expect(polite.duration_ms).toBeGreaterThanOrEqual(500);
    expect(polite.duration_ms).toBeLessThan(2500);
    // It ignores SIGTERM: killed once the grace period is over.
    expect(stubborn).toMatchObject({ reason: 'timeout', signal: 'SIGKILL' });
    expect(stubborn.duration_ms).toBeGreaterThanOrEqual(800);
    expect(stubborn.duration_ms).toBeLessThan(3000);
    expect(finished(frames)).toMatchObject({ ok: false, counts: { timeout: 2 }, failed_tasks: [{ task: 1, reason: 'timeout' }, { task: 2, reason: 'timeout' }] });
  });

  it('--idle-timeout reports a silent worker with a worker_idle frame and lets it finish', async () => {
    const r = await relayAsync(['fanout', '--task', 'quiet', '--idle-timeout', '300ms', '--progress', 'plain', '--', 'sh', '-c', 'echo start; sleep 1; echo done']);
    expect(r.status).toBe(0);
    const frames = parseFrames(r.stdout);
    const idle = ofType(frames, 'worker_idle');
    expect(idle.length).toBeGreaterThanOrEqual(1);
    expect(idle[0]).toMatchObject({ worker: 'w1', index: 1, task: 1, task_id: '1', attempt: 1 });
    expect(idle[0]!.idle_ms).toBeGreaterThanOrEqual(300);
    // Reported between the two lines it printed.
    const types = frames.map((f) => (f.type === 'worker_stream' ? f.data.trim() : f.type));
    expect(types.indexOf('worker_idle')).toBeGreaterThan(types.indexOf('start'));
    expect(types.indexOf('worker_idle')).toBeLessThan(types.indexOf('done'));
    expect(r.stderr).toMatch(/relay: w1 #1 idle: no output for 0\.\ds/);
  });

  it('--kill-idle stops an agent that hangs silent, with reason "idle"', async () => {
    const r = await relayAsync(['fanout', '--task', 'hangs', '--idle-timeout', '400ms', '--kill-idle', '--progress', 'none', '--', ...AGENT, '--duration', '0', '--hang']);
    expect(r.status).toBe(1);
    const frames = parseFrames(r.stdout);
    expect(ofType(frames, 'worker_idle')).toHaveLength(1);
    expect(ofType(frames, 'worker_exited')[0]).toMatchObject({ reason: 'idle', signal: 'SIGTERM' });
    expect(finished(frames)).toMatchObject({ counts: { idle: 1 }, failed_tasks: [{ reason: 'idle' }] });
  });
});

describe('retries', () => {
  it('--retries re-runs failed attempts with a doubling back-off; attempts are numbered in the frames and counted', async () => {
    const dir = tmp();
    // Task 1 always fails; task 2 fails on its first attempt only (a counter file per task).
    const script = `n=$(cat ${dir}/{#} 2>/dev/null || echo 0); echo $((n + 1)) > ${dir}/{#}; echo "attempt $((n + 1))"; [ {#} = 2 ] && [ $n -ge 1 ]`;
    const r = await relayAsync(['fanout', '--task', 'always', '--task', 'flaky', '--retries', '2', '--retry-delay', '100ms', '--progress', 'none', '--', 'sh', '-c', script]);
    expect(r.status).toBe(1);
    const frames = parseFrames(r.stdout);
    const attempts = (task: number): WorkerExited[] => ofType(frames, 'worker_exited').filter((f) => f.task === task);
    expect(attempts(1).map((f) => [f.attempt, f.exit_code])).toEqual([[1, 1], [2, 1], [3, 1]]);
    expect(attempts(2).map((f) => [f.attempt, f.exit_code])).toEqual([[1, 1], [2, 0]]);
    const all = transcripts(frames);
    expect(all.get('1/3')).toBe('attempt 3\r\n');
    // The back-off: 100 ms before attempt 2, 200 ms before attempt 3 (lower bounds only).
    const startOf = (task: number, attempt: number): WorkerStarted => ofType(frames, 'worker_started').find((f) => f.task === task && f.attempt === attempt)!;
    expect(startOf(1, 2).ts - attempts(1)[0]!.ts).toBeGreaterThanOrEqual(100);
    expect(startOf(1, 3).ts - attempts(1)[1]!.ts).toBeGreaterThanOrEqual(200);
    expect(finished(frames)).toMatchObject({ counts: { total: 2, ok: 1, failed: 1 }, attempts: 5, failed_tasks: [{ task: 1, attempts: 3 }] });
  });

  it('exits 0 when every task succeeded, retries included', async () => {
    const dir = tmp();
    const r = await relayAsync(['fanout', '--task', 'flaky', '--retries', '1', '--retry-delay', '10ms', '--progress', 'none', '--', 'sh', '-c', `[ -e ${dir}/seen ] || { touch ${dir}/seen; exit 1; }`]);
    expect(r.status).toBe(0);
    expect(finished(parseFrames(r.stdout))).toMatchObject({ ok: true, attempts: 2, counts: { ok: 1 } });
  });
});

describe('input', () => {
  it('--input is typed into every worker\'s terminal, followed by Enter; --input-file as it is', async () => {
    const r = await relayAsync(['fanout', '-w', '2', '--input', 'hello relay', '--progress', 'none', '--', 'bash', '-c', 'read -r line; echo "got:$line"']);
    expect(r.status).toBe(0);
    const all = [...transcripts(parseFrames(r.stdout)).values()];
    expect(all).toHaveLength(2);
    for (const t of all) expect(t).toContain('got:hello relay\r\n');

    const file = join(tmp(), 'answers.txt');
    writeFileSync(file, 'one\ntwo\n');
    const f = await relayAsync(['fanout', '--task', 'x', '--input-file', file, '--progress', 'none', '--', 'bash', '-c', 'read -r a; read -r b; echo "got:$a+$b"']);
    expect(f.status).toBe(0);
    expect(transcripts(parseFrames(f.stdout)).get('1/1')).toContain('got:one+two\r\n');
  });

  it('--input-eof ends the input: programs that read stdin to its end finish, with and without a last newline', { timeout: 300_000 }, async () => {
    const lines = join(tmp(), 'lines.txt');
    writeFileSync(lines, 'one\ntwo\nthree\n');
    const partial = join(tmp(), 'partial.txt');
    writeFileSync(partial, 'a\nb');
    const cases: [string[], string, string][] = [
      [['--input-file', lines], 'n=$(wc -l); echo "lines:$n"', 'lines:3\r\n'],
      [['--input-file', partial], 'x=$(cat); printf "got:%q\\n" "$x"', "got:$'a\\nb'\r\n"],
      [['--input', 'hello'], 'n=$(wc -c); echo "bytes:$n"', 'bytes:6\r\n'],
      [[], 'cat; echo "cat:$?"', 'cat:0\r\n'],
    ];
    for (const [flags, script, expected] of cases) {
      const r = await relayAsync(['fanout', '-w', '1', '--input-eof', ...flags, '--timeout', '60s', '--progress', 'none', '--', 'bash', '-c', script]);
      expect(transcripts(parseFrames(r.stdout)).get('1/1'), script).toContain(expected);
      expect(r.status, script).toBe(0);
    }
  });

  it('without --input-eof a program reading to the end of its input waits (here until --timeout)', async () => {
    const r = await relayAsync(['fanout', '-w', '1', '--input', 'hello', '--timeout', '1s', '--progress', 'none', '--', 'wc', '-l']);
    expect(r.status).toBe(1);
    expect(parseFrames(r.stdout).find((f) => f.type === 'worker_exited')).toMatchObject({ reason: 'timeout' });
  });

  it('the library\'s inputEof does the same', async () => {
    const run = fanout({ workers: 2, command: ['sh', '-c', 'echo "lines:$(wc -l)"'], input: 'x\ny\n', inputEof: true, timeoutMs: 60_000 });
    const frames: Frame[] = [];
    for await (const f of run) frames.push(f);
    expect((await run.result).ok).toBe(true);
    for (const t of transcripts(frames).values()) expect(t).toContain('lines:2\r\n');
  });
});

describe('help', () => {
  it('documents every task and policy flag in `relay fanout --help`, each with an example', async () => {
    const help = await relayAsync(['fanout', '--help']);
    expect(help.status).toBe(0);
    for (const flag of ['--tasks', '--task', '--shard', '--fail-fast', '--max-failures', '--timeout', '--idle-timeout', '--kill-idle', '--retries', '--retry-delay', '--input', '--input-file', '--input-eof']) {
      expect(help.stdout).toContain(flag);
    }
    const examples = help.stdout.slice(help.stdout.indexOf('EXAMPLES'));
    for (const used of ['--tasks tasks.txt', '--tasks -', '--fail-fast', '--timeout', '--retries', '--idle-timeout', '--kill-idle', '--input', '--shard 2/3', 'relay merge']) {
      expect(examples).toContain(used);
    }
    expect((await relayAsync(['merge', '--help'])).stdout).toContain('EXAMPLES');
  });
});

describe('bad input', () => {
  const file = (): string => tasksFile(['a', 'b']);
  it.each([
    ['--shard 0/3', () => ['--shard', '0/3', '--tasks', file()], /--shard.*0\/3/],
    ['--shard 4/3', () => ['--shard', '4/3', '--tasks', file()], /--shard.*4\/3/],
    ['--shard half', () => ['--shard', 'half', '--tasks', file()], /--shard.*half/],
    ['--shard without a task list', () => ['--shard', '1/2'], /--shard needs a task list/],
    ['a missing --tasks file', () => ['--tasks', '/nonexistent/tasks.txt'], /--tasks: cannot read \/nonexistent\/tasks.txt: ENOENT/],
    ['--timeout abc', () => ['--timeout', 'abc', '--task', 'x'], /--timeout.*abc/],
    ['--timeout 0', () => ['--timeout', '0', '--task', 'x'], /--timeout.*above 0/],
    ['--idle-timeout soon', () => ['--idle-timeout', 'soon', '--task', 'x'], /--idle-timeout.*soon/],
    ['--kill-idle without --idle-timeout', () => ['--kill-idle', '--task', 'x'], /--kill-idle: --idle-timeout/],
    ['--retries -1', () => ['--retries', '-1', '--task', 'x'], /--retries/],
    ['--max-failures 0', () => ['--max-failures', '0', '--task', 'x'], /--max-failures/],
    ['--fail-fast with --max-failures', () => ['--fail-fast', '--max-failures', '2', '--task', 'x'], /--max-failures.*--fail-fast/],
    ['a missing --input-file', () => ['--input-file', '/nonexistent/input', '--task', 'x'], /--input-file: cannot read/],
    ['duplicate task ids', () => ['--tasks', tasksFile(['a', '{"id":"a","prompt":"p"}', '{"id":"a","prompt":"q"}'])], /line 3: duplicate task id "a" \(first at .* line 2\)/],
    ['a task line that is not JSON', () => ['--tasks', tasksFile(['{"prompt": oops}'])], /line 1: not a JSON object/],
    ['a JSON task line without a prompt', () => ['--tasks', tasksFile(['{"promt": "typo"}'])], /line 1: bad task field prompt/],
  ])('rejects %s with one line on stderr, exit 2 and nothing on stdout', async (_label, args, pattern) => {
    const dir = tmp();
    expectUsageError(await relayAsync(['fanout', ...args(), '--output', join(dir, 'frames.ndjson'), '--', 'true']), pattern);
    // Checked before anything was opened: no output file either.
    expect(() => readFileSync(join(dir, 'frames.ndjson'))).toThrow();
  });
});

