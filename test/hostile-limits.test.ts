// Running out, for real: relay under a real `ulimit -n` with more workers than descriptors. Spawns
// that fail say what ran out (EMFILE) with a hint, as spawn_error, and the run goes on.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WorkerExited } from '../src/frames/types.js';
import { exited, parseFrames, RELAY, ROOT } from './helpers/cli.js';
import { tmp } from './helpers/temp.js';

describe('running out', { timeout: 180_000 }, () => {
  it('ulimit -n 256 with 110 workers: the spawns that find no descriptor are spawn_error with EMFILE and a hint; the others run', async () => {
    const fifo = join(tmp(), 'go');
    execFileSync('mkfifo', [fifo]);
    // 40 descriptors taken before relay starts: Node itself needs ~150 to load its modules, each
    // worker two (its terminal's sides), so about 100 workers fit. Every worker waits on the fifo.
    const script = `ulimit -n 256; for i in $(seq 20 59); do eval "exec $i</dev/null"; done; exec "$0" "$@"`;
    const relay = spawn('bash', ['-c', script, process.execPath, RELAY, 'fanout', '--workers', '110', '--progress', 'none', '--', 'cat', fifo], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    relay.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    // Every spawn was tried once there are 110 worker_started frames (pid null when it failed).
    await new Promise<void>((resolve, reject) => {
      relay.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if ((out.match(/"type":"worker_started"/g)?.length ?? 0) >= 110) resolve();
      });
      relay.once('exit', () => reject(new Error(`relay exited early: ${err}`)));
    });
    closeSync(openSync(fifo, 'w')); // EOF for every waiting cat
    expect((await exited(relay)).code).toBe(1);
    const exits = parseFrames(out).filter((f): f is WorkerExited => f.type === 'worker_exited');
    expect(exits).toHaveLength(110);
    const failed = exits.filter((f) => f.reason === 'spawn_error');
    expect(failed.length).toBeGreaterThan(0);
    expect(exits.filter((f) => f.reason === 'exit' && f.exit_code === 0).length).toBeGreaterThan(50);
    for (const f of failed) expect(f.error).toBe('cat: EMFILE: too many open files: raise ulimit -n or lower --workers');
    expect(err).not.toMatch(/Error:|\n\s+at /);
  });
});
