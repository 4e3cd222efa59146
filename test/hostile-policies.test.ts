// Policies under a stalled reader, for real: relay's stdout is a pipe nobody reads, so its
// workers' terminals are paused. --fail-fast must act when the failing task exits (not when the
// reader resumes), and a task that had exited 0 meanwhile is reported as exit 0, not cancelled.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { WorkerExited } from '../src/frames/types.js';
import { exited, parseFrames, spawnRelay } from './helpers/cli.js';
import { processesMarked, waitGone } from './helpers/procs.js';

/** The run's workers: marked processes other than relay and its watchdog. */
function workersOf(mark: string, relayPid: number): number[] {
  return processesMarked(mark).filter((pid) => {
    if (pid === relayPid) return false;
    try {
      return !readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('declare -A live');
    } catch {
      return false;
    }
  });
}

// Task 1 floods (the pipe fills, relay pauses every terminal) and would run forever; task 2 exits 0
// after 2 s, task 3 exits 1 after 3 s, both while the reader is stalled.
const SCRIPT = 'case {} in 1) while :; do head -c 65536 /dev/zero | tr "\\0" x; done ;; 2) sleep 2; echo fine; exit 0 ;; 3) sleep 3; echo broken; exit 1 ;; esac';

describe('policies under a stalled reader', { timeout: 120_000 }, () => {
  it('--fail-fast stops the rest when the failing task exits, while the reader is stalled; a task that exited 0 stays ok', async () => {
    const mark = randomUUID();
    const relay = spawnRelay(['fanout', '-w', '3', '--fail-fast', '--grace', '500ms', '--progress', 'none', '--task', '1', '--task', '2', '--task', '3', '--', 'bash', '-c', SCRIPT], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { RELAY_TEST_MARK: mark },
    });
    relay.stdout!.pause(); // a reader that takes nothing: its pipe fills, relay pauses the terminals
    // Tasks 2 and 3 end by themselves; the flooding task 1 ends only if fail-fast acts.
    while (workersOf(mark, relay.pid!).length < 3) await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    const left = await waitGone(workersOf(mark, relay.pid!), 15_000);
    const stoppedAfter = Date.now() - started;
    expect(left).toEqual([]);
    expect(relay.exitCode).toBeNull(); // still waiting for its reader
    console.log(`fail-fast stopped the flooding task ${stoppedAfter} ms after the workers started (task 3 fails at ~3000 ms), reader still stalled`);

    let text = '';
    relay.stdout!.on('data', (d: Buffer) => (text += d.toString()));
    relay.stdout!.resume();
    expect((await exited(relay)).code).toBe(1);
    const frames = parseFrames(text);
    const exits = new Map(frames.filter((f): f is WorkerExited => f.type === 'worker_exited').map((f) => [f.task_id, f]));
    expect(exits.get('2')).toMatchObject({ reason: 'exit', exit_code: 0 });
    expect(exits.get('3')).toMatchObject({ reason: 'exit', exit_code: 1 });
    expect(exits.get('1')).toMatchObject({ reason: 'cancelled' });
    // Every byte of the tasks that ended by themselves arrived.
    const streams = frames.filter((f) => f.type === 'worker_stream');
    expect(streams.filter((f) => f.task_id === '2').map((f) => f.data).join('')).toContain('fine');
    expect(streams.filter((f) => f.task_id === '3').map((f) => f.data).join('')).toContain('broken');
    expect(frames.at(-1)).toMatchObject({ type: 'run_finished', reason: 'fail_fast', counts: { ok: 1, failed: 1, cancelled: 1 } });
  });
});
