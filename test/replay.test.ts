import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Frame } from '../src/frames/types.js';
import { summarizeFrames } from '../src/summary/build.js';
import { formatMarkdown } from '../src/summary/format.js';
import { expectUsageError, parseFrames, relayAsync, shell } from './helpers/cli.js';
import { tmp } from './helpers/temp.js';


/** Runs a fanout into a file; returns its path. */
async function record(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ file: string; stderr: string; status: number | null }> {
  const file = join(tmp(), 'run.ndjson');
  const r = await relayAsync(['fanout', '--progress', 'none', '--output', file, ...args], { env });
  return { file, stderr: r.stderr, status: r.status };
}

// Draws two status rows, then moves the cursor up and rewrites the first one in place.
const REDRAW = 'printf "step 1: pending\\nstep 2: pending\\n"; sleep 0.1; printf "\\033[2A\\rstep 1: done\\033[K\\n\\033[1B"';

describe('relay replay', () => {
  it('renders the final screen of a worker that redrew with cursor movement, as a terminal showed it', async () => {
    const { file, status } = await record(['-w', '2', '--', 'bash', '-c', REDRAW]);
    expect(status).toBe(0);
    const one = await relayAsync(['replay', file, '--worker', 'w2']);
    expect(one.status).toBe(0);
    expect(one.stderr).toBe('');
    expect(one.stdout).toBe('step 1: done\nstep 2: pending\n');

    const both = await relayAsync(['replay', file]);
    expect(both.stdout).toBe('── #1 on w1 (exit 0) ──\nstep 1: done\nstep 2: pending\n\n── #2 on w2 (exit 0) ──\nstep 1: done\nstep 2: pending\n');
  });

  it('--transcript prints every line the worker wrote as plain text, ANSI stripped, from a file or stdin, with or without line mode', async () => {
    const command = ['bash', '-c', `printf "\\033[32mgreen\\033[0m\\n"; for i in 1 2 3; do printf "\\r%s%%" "$i"; done; printf "\\n"; ${REDRAW}`];
    const { file } = await record(['-w', '1', '--', ...command]);
    const r = await relayAsync(['replay', file, '--transcript']);
    expect(r.stdout).toBe('── #1 on w1 (exit 0) ──\ngreen\n3%\nstep 1: pending\nstep 2: pending\nstep 1: done\n');
    const piped = await shell(`relay replay - --transcript --worker 1 < "${file}"`);
    expect(piped.status).toBe(0);
    expect(piped.stdout).toBe('green\n3%\nstep 1: pending\nstep 2: pending\nstep 1: done\n');
    // Recorded with worker_line frames too, or with them only: the same transcript, nothing twice.
    for (const mode of ['--lines', '--no-stream']) {
      const other = await record(['-w', '1', mode, '--', ...command]);
      expect((await relayAsync(['replay', other.file, '--transcript', '-w', '1'])).stdout).toBe(piped.stdout);
    }
  });

  it('replays a stream cut off mid-run (no run_finished, last line cut in half) with a one-line warning', async () => {
    const { file } = await record(['-w', '1', '--', 'bash', '-c', REDRAW]);
    const text = readFileSync(file, 'utf8').trimEnd().split('\n');
    const exitedAt = text.findIndex((l) => l.includes('"worker_exited"'));
    const cut = [...text.slice(0, exitedAt), text[exitedAt]!.slice(0, 40)].join('\n');
    const truncated = join(tmp(), 'cut.ndjson');
    writeFileSync(truncated, cut);
    const r = await relayAsync(['replay', truncated]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('── #1 on w1 (no exit recorded) ──\nstep 1: done\nstep 2: pending\n');
    expect(r.stderr).toBe(`relay: warning: ${truncated} is cut off mid-frame at line ${exitedAt + 1}; showing what came before\n`);

    writeFileSync(truncated, text.slice(0, exitedAt).join('\n') + '\n');
    const clean = await relayAsync(['replay', truncated, '-w', '1']);
    expect(clean.stdout).toBe('step 1: done\nstep 2: pending\n');
    expect(clean.stderr).toMatch(/^relay: warning: .* has no run_finished frame \(the run was cut off\); showing what was recorded\n$/);
  });

  it('--live writes the worker\'s raw output, in order, at its recorded pace; it needs --worker for several workers', async () => {
    const { file } = await record(['-w', '2', '--', 'bash', '-c', 'echo "one {#}"; sleep 0.2; echo "two {#}"']);
    const r = await relayAsync(['replay', file, '--live', '--worker', 'w2', '--max-delay', '50ms']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('one 2\r\ntwo 2\r\n');
    const all = await relayAsync(['replay', file, '--live']);
    expect(all.status).toBe(2);
    expect(all.stderr).toMatch(/^relay: --live shows one terminal: pick one of the 2 workers with --worker, or a task with --task\n$/);
  });

  it('shows each attempt in its own terminal: 4 tasks on 2 workers with a retry never run together; --task picks one task', async () => {
    const dir = tmp();
    const script = 'if [ "$1" = b ] && [ ! -e retried ]; then touch retried; echo "b fails"; exit 1; fi; echo "task $1 done"';
    const run = await relayAsync(['fanout', '--tasks', '-', '-w', '2', '--retries', '1', '--retry-delay', '0', '--progress', 'none', '--', 'sh', '-c', script, '_', '{}'], { cwd: dir, input: 'a\nb\nc\n{"id":"dee","prompt":"d"}\n' });
    expect(run.status).toBe(0);
    const file = join(dir, 'run.ndjson');
    writeFileSync(file, run.stdout);
    const all = await relayAsync(['replay', file, '--transcript']);
    const headers = all.stdout.split('\n').filter((l) => l.startsWith('── ')).map((l) => l.replace(/ on w\d/, ''));
    expect(headers.sort()).toEqual(['── #1 (exit 0) ──', '── #2 (exit 1) ──', '── #2, attempt 2 (exit 0) ──', '── #3 (exit 0) ──', '── #4 dee (exit 0) ──']);
    expect(all.stdout).toMatch(/── #4 dee on w\d \(exit 0\) ──\ntask d done\n/);
    const b = await relayAsync(['replay', file, '--task', '2', '--transcript']);
    expect(b.stdout).toMatch(/^── #2 on w\d \(exit 1\) ──\nb fails\n\n── #2 on w\d, attempt 2 \(exit 0\) ──\ntask b done\n$/);
    expect((await relayAsync(['replay', file, '--task', 'dee', '--transcript'])).stdout).toBe('task d done\n');
    expect((await relayAsync(['replay', file, '--task', '#4', '--transcript'])).stdout).toBe('task d done\n');
    expectUsageError(await relayAsync(['replay', file, '--task', 'nope']), /--task: no task nope in .*run\.ndjson \(it has 1, 2, 3, dee\)/);
  });

  it('exits 141 without a message when its own reader goes away (`relay replay … | head`)', async () => {
    const { file } = await record(['-w', '1', '--', process.execPath, 'dist/sim/main.js', '--bytes', '2MB', '--duration', '0']);
    for (const mode of ['--transcript', '--live']) {
      const r = await shell(`relay replay "${file}" ${mode} --max-delay 1ms | head -c 100 >/dev/null`);
      expect([r.status, r.stderr]).toEqual([141, '']);
    }
  });

  it('rejects a missing file, an unknown worker and a malformed line with one line on stderr and exit 2', async () => {
    const missing = await relayAsync(['replay', '/nonexistent/run.ndjson']);
    expect([missing.status, missing.stdout]).toEqual([2, '']);
    expect(missing.stderr).toMatch(/^relay: cannot read \/nonexistent\/run.ndjson: ENOENT\n$/);
    const { file } = await record(['-w', '1', '--', 'true']);
    const unknown = await relayAsync(['replay', file, '--worker', 'w7']);
    expect([unknown.status, unknown.stderr]).toEqual([2, `relay: --worker: no worker w7 in ${file} (it has w1)\n`]);
    const bad = join(tmp(), 'bad.ndjson');
    writeFileSync(bad, readFileSync(file, 'utf8').replace('\n', '\nnot a frame\n'));
    const r = await relayAsync(['replay', bad]);
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(`relay: ${bad} line 2: not JSON: "not a frame"\n`);
  });
});

const FAILING = 'echo "output of {#}"; printf "\\033[31merror: broke {#}\\033[0m\\n"; exit $(({#} - 1))';

describe('relay summary', () => {
  it('markdown: a table row per task and the last lines of each failed one (exact, from fixed frames)', () => {
    const f = (seq: number, body: object): Frame => ({ v: 1, seq, ts: 1000 + seq * 100, ...body }) as Frame;
    const t = (n: number) => ({ task: n, task_id: String(n), attempt: 1 });
    const frames = [
      f(1, { type: 'run_started', run_id: 'r', workers: 2, tasks: 2, command: ['x'], version: '0.1.0', cols: 80, rows: 24 }),
      f(2, { type: 'worker_started', worker: 'w1', index: 1, pid: 10, argv: ['x'], ...t(1) }),
      f(3, { type: 'worker_started', worker: 'w2', index: 2, pid: 11, argv: ['x'], ...t(2) }),
      f(4, { type: 'worker_stream', worker: 'w2', data: 'compiling\r\n\x1b[31merror: a | b `x`\x1b[0m\r\n', ...t(2) }),
      f(5, { type: 'worker_exited', worker: 'w2', index: 2, exit_code: 2, signal: null, reason: 'exit', duration_ms: 1500, bytes: 40, ...t(2) }),
      f(6, { type: 'worker_exited', worker: 'w1', index: 1, exit_code: 0, signal: null, reason: 'exit', duration_ms: 300, bytes: 0, ...t(1) }),
      f(7, { type: 'run_finished', ok: false, exit_code: 1, reason: 'completed', counts: { total: 2, ok: 1, failed: 1, signal: 0, spawn_error: 0, cancelled: 0 }, not_started: [], duration_ms: 1600 }),
    ];
    expect(formatMarkdown(summarizeFrames(frames))).toBe(
      [
        '### relay: failed (completed, exit 1); 2 tasks: 1 ok, 1 failed in 1.6s',
        '',
        '| task | worker | outcome | detail | attempts | duration | bytes |',
        '| --- | --- | --- | --- | ---: | ---: | ---: |',
        '| #1 | w1 | ✅ ok | exit 0 | 1 | 0.3s | 0 B |',
        '| #2 | w2 | ❌ failed | exit 2 | 1 | 1.5s | 40 B |',
        '',
        '<details><summary>#2: last 2 lines</summary>',
        '',
        '```text',
        'compiling',
        'error: a | b `x`',
        '```',
        '',
        '</details>',
        '',
      ].join('\n'),
    );
  });

  it('markdown: leaves out last lines past its size budget (GitHub caps a step summary at 1 MiB), never table rows', () => {
    const f = (seq: number, body: object): Frame => ({ v: 1, seq, ts: seq, ...body }) as Frame;
    const frames = [1, 2, 3].flatMap((i) => [
      f(i * 3, { type: 'worker_stream', worker: `w${i}`, data: `${'x'.repeat(300)}\r\n`, task: i, task_id: String(i), attempt: 1 }),
      f(i * 3 + 1, { type: 'worker_exited', worker: `w${i}`, index: i, exit_code: 1, signal: null, reason: 'exit', duration_ms: 1, bytes: 302, task: i, task_id: String(i), attempt: 1 }),
    ]);
    const md = formatMarkdown(summarizeFrames(frames), 1000);
    expect(md.match(/^\| #\d \|/gm)).toHaveLength(3);
    expect(md.match(/<details>/g)).toHaveLength(1);
    expect(md).toContain('_The last lines of 2 more tasks are left out to keep this summary small: see `relay summary`._');
  });

  it('summarises a real run with failures, as text and as markdown', async () => {
    const { file, status } = await record(['-w', '3', '--', 'sh', '-c', FAILING]);
    expect(status).toBe(1);
    const text = await relayAsync(['summary', file]);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^relay: failed \(completed, exit 1\); 3 tasks: 1 ok, 2 failed in /);
    expect(text.stdout).toMatch(/\n#1 +w1 +ok +1 +\d+\.\ds +\d+ B +exit 0\n/);
    expect(text.stdout).toMatch(/\n#3 +w3 +failed +1 +\d+\.\ds +\d+ B +exit 2\n/);
    expect(text.stdout).toContain('\n#3 on w3 (failed, exit 2, attempt 1), last lines:\n  output of 3\n  error: broke 3\n');
    expect(text.stdout).not.toContain('#1 on w1');

    const md = await relayAsync(['summary', file, '--format', 'markdown']);
    expect(md.stdout).toMatch(/\n\| #2 \| w2 \| ❌ failed \| exit 1 \| 1 \| \d+\.\ds \| \d+ B \|\n/);
    expect(md.stdout).toContain('<details><summary>#3: last 2 lines</summary>\n\n```text\noutput of 3\nerror: broke 3\n```\n\n</details>\n');
  });

  it('counts tasks, not slots: 5 tasks on 2 workers, first attempts failing and retried, one failing for good, as relay itself counts them', async () => {
    const dir = tmp();
    // Task 2 fails once then succeeds (a marker file per task), task 4 always fails.
    const script = 'if [ "$1" = 4 ] || { [ "$1" = 2 ] && [ ! -e "m$1" ]; }; then touch "m$1"; echo "failing $1"; exit 1; fi; echo "fine $1"';
    const run = await relayAsync(['fanout', '--tasks', '-', '-w', '2', '--retries', '1', '--retry-delay', '0', '--progress', 'plain', '--', 'sh', '-c', script, '_', '{#}'], { cwd: dir, input: 'a\nb\nc\nd\ne\n' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/5 tasks: 4 ok, 1 failed, 7 attempts/);
    const file = join(dir, 'run.ndjson');
    writeFileSync(file, run.stdout);
    const text = await relayAsync(['summary', file]);
    expect(text.stdout).toMatch(/^relay: failed \(completed, exit 1\); 5 tasks: 4 ok, 1 failed, 7 attempts in /);
    expect(text.stdout).toMatch(/\n#2 +w\d +ok +2 /);
    expect(text.stdout).toMatch(/\n#4 +w\d +failed +2 /);
    expect(text.stdout).toContain('attempt 2), last lines:\n  failing 4\n');
  });

  it('appends the markdown table to $GITHUB_STEP_SUMMARY at the end of a fanout, and groups plain progress in GitHub Actions', async () => {
    const dir = tmp();
    const summaryFile = join(dir, 'step-summary.md');
    writeFileSync(summaryFile, 'earlier step\n');
    const r = await relayAsync(['fanout', '-w', '2', '--progress', 'plain', '--', 'sh', '-c', `echo "::endgroup::"; ${FAILING}`], {
      env: { GITHUB_STEP_SUMMARY: summaryFile, GITHUB_ACTIONS: 'true' },
    });
    expect(r.status).toBe(1);
    const frames = parseFrames(r.stdout);
    const md = readFileSync(summaryFile, 'utf8');
    expect(md.startsWith('earlier step\n### relay: failed (completed, exit 1); 2 tasks: 1 ok, 1 failed in ')).toBe(true);
    expect(md).toMatch(/\n\| #1 \| w1 \| ✅ ok \| exit 0 \|/);
    expect(md).toContain('<details><summary>#2: last 3 lines</summary>\n\n```text\n::endgroup::\noutput of 2\nerror: broke 2\n```');
    // The same table `relay summary --format markdown` prints for the same frames.
    const file = join(dir, 'run.ndjson');
    writeFileSync(file, frames.map((f) => JSON.stringify(f)).join('\n') + '\n');
    expect(md).toBe(`earlier step\n${(await relayAsync(['summary', file, '--format', 'markdown'])).stdout}\n`);

    // Each worker's report is a group; its own output inside cannot end the group early.
    const group = /::group::relay: w2 failed: exit 1 after [^\n]+\n::stop-commands::([0-9a-f-]+)\n::endgroup::\noutput of 2\nerror: broke 2\n::\1::\n::endgroup::\n/;
    expect(r.stderr).toMatch(group);
    expect(r.stderr).toMatch(/::group::relay: w1 exited 0 after /);
  });
});

describe('help', () => {
  it('documents replay, summary and the line-mode flags with examples in --help', async () => {
    for (const [cmd, needle] of [['replay', '--transcript'], ['summary', '--format'], ['fanout', '--no-stream']] as const) {
      const help = await relayAsync([cmd, '--help']);
      expect(help.status).toBe(0);
      expect(help.stdout).toContain('EXAMPLES');
      expect(help.stdout).toContain(needle);
    }
  });
});
