// The terminal goes away, for real: relay runs in a real pseudo-terminal (node-pty) with workers
// that ignore SIGHUP and SIGTERM; then it gets SIGHUP or SIGQUIT, its terminal is closed, or relay
// itself is SIGKILLed. No worker may remain; the frames and exit status say what happened.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pty from 'node-pty';
import { describe, expect, it } from 'vitest';
import { parseFrames, RELAY, ROOT } from './helpers/cli.js';
import { isAlive, processesMarked, waitGone } from './helpers/procs.js';
import { tmp } from './helpers/temp.js';

const STUBBORN = ['bash', '-c', 'trap "" HUP TERM; echo ready; while :; do sleep 0.1; done'];

interface InTerminal {
  term: pty.IPty;
  exit: Promise<{ exitCode: number; signal?: number }>;
  file: string;
  mark: string;
}

/** relay fanout in a real terminal, frames to a file; resolves once every worker has printed "ready". */
async function relayInTerminal(workers: number): Promise<InTerminal> {
  const file = join(tmp(), 'run.ndjson');
  const mark = randomUUID();
  const term = pty.spawn(process.execPath, [RELAY, 'fanout', '-w', String(workers), '--grace', '500ms', '--progress', 'auto', '--output', file, '--', ...STUBBORN], {
    cwd: ROOT,
    cols: 100,
    rows: 30,
    env: { ...process.env, RELAY_TEST_MARK: mark } as Record<string, string>,
  });
  const exit = new Promise<{ exitCode: number; signal?: number }>((resolve) => term.onExit(resolve));
  // The frame file has no event for "grew": poll it (relay creates it once started).
  while ((readIfThere(file).match(/"data":"ready/g)?.length ?? 0) < workers) await new Promise((resolve) => setTimeout(resolve, 50));
  return { term, exit, file, mark };
}

function readIfThere(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

describe('the terminal goes away', { timeout: 120_000 }, () => {
  it.each([
    ['SIGHUP', 129, 'hangup'],
    ['SIGQUIT', 131, 'quit'],
  ] as const)('%s: workers that ignore SIGHUP and SIGTERM are killed after the grace period, run_finished says why, exit %i', async (signal, code, reason) => {
    const r = await relayInTerminal(3);
    const workers = processesMarked(r.mark).filter((pid) => pid !== r.term.pid);
    expect(workers.length).toBeGreaterThanOrEqual(3);
    process.kill(r.term.pid, signal);
    expect((await r.exit).exitCode).toBe(code);
    const frames = parseFrames(readFileSync(r.file, 'utf8'));
    expect(frames.at(-1)).toMatchObject({ type: 'run_finished', reason, exit_code: code, counts: { cancelled: 3 } });
    expect(await waitGone(processesMarked(r.mark), 3000)).toEqual([]);
  });

  it('the terminal closes (its parent side is gone): relay hangs up its workers, cannot crash writing progress (EIO), exits 129', async () => {
    const r = await relayInTerminal(3);
    const relayPid = r.term.pid;
    (r.term as unknown as { destroy(): void }).destroy(); // the kernel sends SIGHUP to the terminal's foreground group: relay
    expect(await waitGone([relayPid], 20_000)).toEqual([]);
    const frames = parseFrames(readFileSync(r.file, 'utf8'));
    expect(frames.at(-1)).toMatchObject({ type: 'run_finished', reason: 'hangup', exit_code: 129, counts: { cancelled: 3 } });
    expect(await waitGone(processesMarked(r.mark), 3000)).toEqual([]);
  });

  it('relay killed with SIGKILL: its watchdog kills workers that ignore SIGHUP and SIGTERM within seconds (without it they live on)', async () => {
    const r = await relayInTerminal(4);
    const marked = processesMarked(r.mark).filter((pid) => pid !== r.term.pid);
    expect(marked.length).toBeGreaterThanOrEqual(4);
    const killed = Date.now();
    process.kill(r.term.pid, 'SIGKILL');
    const left = await waitGone(marked, 10_000);
    const survived = Date.now() - killed;
    console.log(`workers ignoring SIGHUP/SIGTERM survived relay's SIGKILL by ${survived} ms`);
    expect(left).toEqual([]);
    // ~150 ms on a quiet machine; the bound leaves room for a loaded one (they would live forever).
    expect(survived).toBeLessThan(3000);
    expect(isAlive(r.term.pid)).toBe(false);
  });
});
