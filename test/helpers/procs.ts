import { readdirSync, readFileSync } from 'node:fs';

/** True while `pid` is a live process (a zombie awaiting its reaper counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Waits until none of `pids` is alive. Another process's death has no event we can await,
 * so this polls, bounded: it resolves with the ones still alive after `withinMs`.
 */
export async function waitGone(pids: number[], withinMs = 3000): Promise<number[]> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const alive = pids.filter(isAlive);
    if (alive.length === 0 || Date.now() > deadline) return alive;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every process whose environment carries RELAY_TEST_MARK=mark (what a run left behind). */
export function processesMarked(mark: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSafe('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`, 'latin1');
      if (env.includes(`RELAY_TEST_MARK=${mark}\0`) && isAlive(Number(entry))) out.push(Number(entry));
    } catch {
      // gone or not ours
    }
  }
  return out;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
