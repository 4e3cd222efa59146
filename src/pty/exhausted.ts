// node-pty reports a failed forkpty(3) as "forkpty(3) failed." and drops errno. When a spawn
// fails, this finds out what ran out, so the report names it (EMFILE, ENFILE, ENOSPC, EAGAIN)
// with a hint, instead of "not executable": forkpty = openpty (a descriptor pair and a kernel
// pseudo-terminal) + fork (a process).
import { closeSync, constants, openSync } from 'node:fs';

const HINTS: Record<string, string> = {
  EMFILE: 'too many open files: raise ulimit -n or lower --workers',
  ENFILE: "the system's open-file table is full: lower --workers",
  ENOSPC: 'no pseudo-terminal left (kernel.pty.max): lower --workers',
  EAGAIN: 'could not create a process (ulimit -u, or memory): raise the limit or lower --workers',
};

/** The errno that most likely made a terminal's spawn fail, with a hint; undefined if none ran out. */
export function whatRanOut(): string | undefined {
  const fds: number[] = [];
  try {
    // What openpty() needs: a pseudo-terminal and two descriptors (its two sides), and one to spare.
    fds.push(openSync('/dev/ptmx', constants.O_RDWR | constants.O_NOCTTY));
    fds.push(openSync('/dev/null', 'r'), openSync('/dev/null', 'r'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code && HINTS[code]) return `${code}: ${HINTS[code]}`;
    return undefined;
  } finally {
    for (const fd of fds) closeSync(fd);
  }
  // A terminal could be opened: what failed was fork() (EAGAIN: the process limit; or ENOMEM).
  return `EAGAIN: ${HINTS.EAGAIN}`;
}
