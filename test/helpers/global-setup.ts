// Once per `vitest run`: every test process and every child (relay, its workers, git) gets a
// TMPDIR of this run's own, so whatever a test or relay leaves is found and removed here, and a
// process still running with it after the last test was never reaped: it is reported and killed.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Processes started under `dir` as TMPDIR, other than vitest's own test workers (our children). */
function processesUsing(dir: string): number[] {
  const mark = `TMPDIR=${dir}\0`;
  const ours = (pid: string): boolean => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return state !== 'Z' && Number(ppid) !== process.pid && readFileSync(`/proc/${pid}/environ`, 'latin1').includes(mark);
    } catch {
      return false; // gone, or not ours to read
    }
  };
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e) && Number(e) !== process.pid && ours(e)).map(Number);
}

// Each vitest project runs this setup (each with its own copy of this module): the first makes the
// folder, the last one out checks it.
const shared = globalThis as { relayTestRun?: { root: string; users: number } };

export default function setup(): () => void {
  shared.relayTestRun ??= { root: mkdtempSync(join(tmpdir(), 'relay-test-run-')), users: 0 };
  const run = shared.relayTestRun;
  run.users += 1;
  const root = run.root;
  process.env.TMPDIR = root;
  return () => {
    if (--run.users > 0) return;
    delete shared.relayTestRun;
    // relay's per-user folder of control sockets (relay-<uid>/, like /run/user) stays by design,
    // with the sockets of runs that tests SIGKILLed: the next `relay ls` removes those.
    const left = readdirSync(root).filter((name) => !/^relay-\d+$/.test(name));
    const alive = processesUsing(root);
    for (const pid of alive) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(root, { recursive: true, force: true, maxRetries: 3 });
    const problems = [
      ...(left.length > 0 ? [`left in the temp folder: ${left.join(', ')}`] : []),
      ...(alive.length > 0 ? [`processes still running (killed): ${alive.join(', ')}`] : []),
    ];
    if (problems.length > 0) throw new Error(`the tests did not clean up after themselves: ${problems.join('; ')}`);
  };
}
