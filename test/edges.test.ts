// Numbers at the edges (issue 13, class 6), through the built CLI: a bare duration is seconds
// everywhere, what a timer or a terminal cannot hold is one line and exit 2, never a wrapped value.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WorkerExited, WorkerIdle } from '../src/frames/types.js';
import { expectUsageError, parseFrames, relayAsync, ROOT } from './helpers/cli.js';
import { tmp } from './helpers/temp.js';

const tmpDir = (): string => tmp('relay-edges-');

describe('durations', () => {
  it('reads a bare number as seconds: --timeout 1 stops a 5 s task after about a second, --timeout 3 spares a 0.2 s one', async () => {
    const slow = await relayAsync(['fanout', '--task', 'slow', '--timeout', '1', '--grace', '0.2', '--progress', 'none', '--', 'sh', '-c', 'sleep 5', '_', '{}']);
    const exited = parseFrames(slow.stdout).find((f): f is WorkerExited => f.type === 'worker_exited')!;
    expect(exited.reason).toBe('timeout');
    expect(exited.duration_ms).toBeGreaterThanOrEqual(950);
    expect(exited.duration_ms).toBeLessThan(4000);
    const quick = await relayAsync(['fanout', '--task', 'quick', '--timeout', '3', '--progress', 'none', '--', 'sh', '-c', 'sleep 0.2', '_', '{}']);
    expect(quick.status).toBe(0);
  });

  it.each([
    ['--timeout', '600h'], ['--idle-timeout', '600h'], ['--grace', '1000h'], ['--retry-delay', '597h'], ['--timeout', '99999999999'],
  ])('rejects %s %s (beyond what a timer holds) with one line, exit 2', async (flag, value) => {
    expectUsageError(await relayAsync(['fanout', '--task', 'x', flag, value, '--', 'true']), new RegExp(`^relay: ${flag}: "${value}" is too long: at most 596h`));
  });

  it('takes the longest duration a timer holds, and the task runs normally', async () => {
    const r = await relayAsync(['fanout', '--task', 'x', '--timeout', '596h', '--idle-timeout', '596h', '--progress', 'none', '--', 'sh', '-c', 'echo ran', '_', '{}']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('reads relay.config.json\'s idleTimeout the same way: "1" is a second, "600h" is refused naming the file', async () => {
    const dir = tmpDir();
    writeFileSync(join(dir, 'relay.config.json'), JSON.stringify({ defaults: { idleTimeout: '1' } }));
    const r = await relayAsync(['fanout', '--task', 'x', '--progress', 'none', '--', 'sh', '-c', 'sleep 1.6', '_', '{}'], { cwd: dir });
    const idle = parseFrames(r.stdout).find((f): f is WorkerIdle => f.type === 'worker_idle')!;
    expect(idle.idle_ms).toBeGreaterThanOrEqual(1000);
    expect(idle.idle_ms).toBeLessThan(1500);
    writeFileSync(join(dir, 'relay.config.json'), JSON.stringify({ defaults: { idleTimeout: '600h' } }));
    expectUsageError(await relayAsync(['fanout', '--task', 'x', '--', 'true'], { cwd: dir }), /relay\.config\.json: defaults\.idleTimeout: "600h" is too long/);
  });

  it('reads the simulated agent\'s --duration and --ask-timeout the same way', () => {
    for (const flag of ['--duration', '--ask-timeout']) {
      const r = spawnSync(process.execPath, ['dist/sim/main.js', flag, '600h'], { cwd: ROOT, encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/"600h" is too long/);
    }
  });
});

describe('terminal size', () => {
  it.each([['--cols', '65536'], ['--cols', '4097'], ['--rows', '65536'], ['--cols', '0']])('rejects %s %s with one line, exit 2', async (flag, value) => {
    expectUsageError(await relayAsync(['fanout', '--task', 'x', flag, value, '--', 'true']), new RegExp(`^relay: ${flag}: `));
  });

  it('gives a worker the largest size it takes, unwrapped', async () => {
    const r = await relayAsync(['fanout', '--task', 'x', '--cols', '4096', '--rows', '4096', '--lines', '--no-stream', '--progress', 'none', '--', 'sh', '-c', 'stty size', '_', '{}']);
    expect(r.status).toBe(0);
    expect(parseFrames(r.stdout).filter((f) => f.type === 'worker_line').map((f) => (f as { text: string }).text)).toEqual(['4096 4096']);
  });
});
