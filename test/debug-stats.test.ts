import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFrames, relayAsync } from './helpers/cli.js';
import { tmp } from './helpers/temp.js';

// RELAY_DEBUG_STATS feeds the benchmarks (bench/): it must report, and must not touch stdout.
describe('RELAY_DEBUG_STATS (built CLI)', () => {
  it('writes loop delay, CPU time and peak RSS to the file at exit, and stdout stays frames only', async () => {
    const file = join(tmp('relay-stats-'), 'stats.json');
    const r = await relayAsync(['fanout', '--workers', '2', '--progress', 'none', '--', 'bash', '-c', 'echo hi'], { env: { RELAY_DEBUG_STATS: file } });
    expect(r.status).toBe(0);
    expect(parseFrames(r.stdout).at(-1)?.type).toBe('run_finished');
    const stats = JSON.parse(readFileSync(file, 'utf8'));
    expect(stats.loop_delay.max_ms).toBeGreaterThanOrEqual(stats.loop_delay.p50_ms);
    expect(Array.isArray(stats.loop_delay.windows)).toBe(true);
    expect(stats.cpu_user_s + stats.cpu_system_s).toBeGreaterThan(0);
    expect(stats.max_rss_bytes).toBeGreaterThan(10 * 1024 * 1024);
  });
});
