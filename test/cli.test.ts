import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Config } from '@oclif/core';
import { describe, expect, it } from 'vitest';
import type { Frame } from '../src/frames/types.js';
import { expectUsageError, parseFrames, relayAsync, ROOT, shell } from './helpers/cli.js';
import { tmp } from './helpers/temp.js';

const quick = ['--duration', '200ms'];

describe('relay fanout (built CLI, real pipes)', () => {
  it('`relay fanout --workers 9 | jq` yields one run_finished with ok true, every line JSON, seq without gaps', async () => {
    const all = await shell(`relay fanout --workers 9 -- "${process.execPath}" dist/sim/main.js ${quick.join(' ')} | jq -c .`);
    expect(all.status).toBe(0);
    const frames = parseFrames(all.stdout);
    expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i + 1));
    expect(frames.filter((f) => f.type === 'worker_exited')).toHaveLength(9);

    const finished = await shell(`relay fanout --workers 9 | jq -c 'select(.type=="run_finished")'`);
    expect(finished.status).toBe(0);
    const lines = finished.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ type: 'run_finished', ok: true, exit_code: 0, counts: { total: 9, ok: 9 } });
  });

  it('passes the command\'s own flag-like arguments through untouched (-- ls -la --color=always, -- bash -c … _ --workers)', async () => {
    const r = await relayAsync(['fanout', '--workers', '1', '--progress', 'none', '--', 'bash', '-c', 'echo "[$1][$2]"', '_', '--workers', '-la']);
    expect(r.status).toBe(0);
    const data = parseFrames(r.stdout).flatMap((f) => (f.type === 'worker_stream' ? [f.data] : [])).join('');
    expect(data).toBe('[--workers][-la]\r\n');

    const ls = await relayAsync(['fanout', '-w', '1', '--progress', 'none', '--', 'ls', '-la', '--color=always', 'package.json']);
    expect(ls.status).toBe(0);
    const started = parseFrames(ls.stdout).find((f) => f.type === 'worker_started');
    expect(started).toMatchObject({ argv: ['ls', '-la', '--color=always', 'package.json'] });
  });

  it('exits 0 when every worker succeeds and 1 when any fails', async () => {
    expect((await relayAsync(['fanout', '-w', '2', '--progress', 'none', '--', 'true'])).status).toBe(0);
    const failed = await relayAsync(['fanout', '-w', '3', '--progress', 'none', '--', 'sh', '-c', 'exit $(({#} - 1))']);
    expect(failed.status).toBe(1);
    expect(parseFrames(failed.stdout).at(-1)).toMatchObject({ type: 'run_finished', ok: false, exit_code: 1, counts: { ok: 1, failed: 2 } });
  });

  it.each([
    [['--workers', '0'], /--workers/],
    [['--workers', '-3'], /--workers|-3/],
    [['--workers', 'abc'], /abc/],
    [['--no-such-flag'], /no-such-flag/],
    [['--cols', '0'], /--cols/],
    [['--output', '/nonexistent-dir/frames.ndjson'], /--output/],
    [['--grace', 'soon'], /soon/],
    [['--progress', 'fancy'], /fancy/],
  ])('rejects %j with one line on stderr, exit 2 and nothing on stdout', async (flags, pattern) => {
    expectUsageError(await relayAsync(['fanout', ...flags, '--', 'true']), pattern);
  });

  it('rejects "--" with nothing after it (a forgotten command, not the simulated agent)', async () => {
    expectUsageError(await relayAsync(['fanout', '-w', '2', '--']), /nothing after "--"/);
  });

  it('writes frames to --output FILE and nothing to stdout', async () => {
    const file = join(tmp('relay-cli-'), 'run.ndjson');
    const r = await relayAsync(['fanout', '-w', '2', '--progress', 'none', '--output', file, '--', 'echo', 'to-file']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    const frames = parseFrames(readFileSync(file, 'utf8'));
    expect(frames.at(-1)).toMatchObject({ type: 'run_finished', ok: true });
    expect(frames.filter((f: Frame) => f.type === 'worker_stream').map((f) => (f as { data: string }).data).join('')).toContain('to-file');
  });

  it('prints plain progress lines on a non-terminal stderr, and never anything but frames on stdout', async () => {
    const r = await relayAsync(['fanout', '-w', '2', '--', 'sh', '-c', 'echo hi; exit $(({#} - 1))']);
    expect(r.status).toBe(1);
    parseFrames(r.stdout); // throws on any non-frame line
    expect(r.stderr).toMatch(/relay: w1 exited 0 after/);
    expect(r.stderr).toMatch(/relay: w2 failed: exit 1 after/);
  });

  it('shows examples and exit codes in `relay fanout --help`, and the manifest matches the commands', async () => {
    const help = await relayAsync(['fanout', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('EXAMPLES');
    expect(help.stdout).toMatch(/130\s+interrupted/);
    expect(help.stdout).toContain('--workers');
    // Every command is listed, and `relay agent --help` is laid out by oclif: nothing past 80 columns.
    expect((await relayAsync(['--help'])).stdout).toMatch(/^ {2}agent +The built-in simulated agent/m);
    const agent = await relayAsync(['agent', '--help'], { env: { COLUMNS: '80' } });
    expect(agent.stdout).toMatch(/^ {2}--seed=N +random seed/m);
    for (const line of agent.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    const check = await shell('node scripts/manifest.js --check');
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('`relay --version` prints oclif\'s own line (Config.userAgent) without loading oclif; `-v` is no version flag', async () => {
    const { userAgent } = await Config.load(ROOT);
    expect(userAgent).toMatch(/^relay\/\d+\.\d+\.\d+ \S+-\S+ node-v\d+/);
    for (const args of [['--version'], ['--version', 'fanout', '--workers', '2']]) {
      // NODE_DEBUG=module names every CommonJS module loaded, and oclif is CommonJS.
      const r = await relayAsync(args, { env: { NODE_DEBUG: 'module' } });
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`${userAgent}\n`);
      expect(r.stderr).not.toMatch(/load "[^"]*@oclif\/core\//);
    }
    expect((await relayAsync(['-v'])).status).toBe(2);
    expect((await relayAsync(['fanout', '--version'])).status).toBe(2);
  });

  it('a plain fanout starts without what it does not use: TypeBox, the agents\' code, oclif\'s index (semver)', async () => {
    // NODE_DEBUG names the modules loaded (esm: ES modules, module: CommonJS); start-up time is theirs.
    const r = await relayAsync(['fanout', '-w', '1', '--', 'true'], { env: { NODE_DEBUG: 'esm,module' } });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('dist/cli/run-fanout.js');
    expect(r.stderr).toMatch(/load "[^"]*\/@oclif\/core\/lib\/execute\.js"/);
    for (const unused of [/@sinclair\/typebox/, /dist\/agents\/extension\.js/, /dist\/tasks\/parse\.js/, /load "[^"]*\/semver\//]) expect(r.stderr).not.toMatch(unused);
  });
});

describe('coalescing (--coalesce)', () => {
  // Many small writes, the last one right before exit: every byte must arrive, in order.
  const script = 'for i in $(seq 1 300); do printf "%s." $i; [ $((i % 50)) = 0 ] && sleep 0.01; done; printf "END{#}"';
  const expected = (w: number) => `${Array.from({ length: 300 }, (_, i) => `${i + 1}.`).join('')}END${w}`;

  it.each([['20ms'], ['0'], ['1s']])('--coalesce %s: every byte, in order, each worker\'s worker_exited after its last worker_stream', async (window) => {
    const r = await relayAsync(['fanout', '-w', '3', '--progress', 'none', '--coalesce', window, '--', 'sh', '-c', script]);
    expect(r.status).toBe(0);
    const frames = parseFrames(r.stdout);
    for (const w of [1, 2, 3]) {
      const mine = frames.filter((f) => 'worker' in f && f.worker === `w${w}`);
      const streams = mine.filter((f): f is Extract<Frame, { type: 'worker_stream' }> => f.type === 'worker_stream');
      expect(streams.map((f) => f.data).join('')).toBe(expected(w));
      expect(mine.at(-1)!.type).toBe('worker_exited');
      // A window longer than the run: the exit sends what is held, as one frame.
      if (window === '1s') expect(streams).toHaveLength(1);
    }
  });
});
