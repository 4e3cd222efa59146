// If relay itself dies without a chance to clean up (SIGKILL, the OOM killer, a crash in native
// code), its workers must not live on: each leads a session of its own, so nothing else would stop
// them — a worker that ignores SIGHUP and SIGTERM would run forever. The watchdog is a tiny bash
// process, in a session of its own (no terminal's hangup reaches it), that holds the read end of a
// pipe from relay. relay tells it each worker's process group as the worker starts (`+PGID`) and
// ends (`-PGID`, so a reused pid is never killed); when the pipe reaches EOF — the kernel closes it
// however relay dies — the watchdog SIGKILLs every group still listed, and exits.
// Why not PR_SET_PDEATHSIG: Node has no binding for prctl(), node-pty's spawn helper does not set
// it, and it would reach only the direct child, not the agent's own children in its group.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

const SCRIPT = `trap '' HUP INT TERM QUIT PIPE
declare -A live
while IFS= read -r line; do
  case $line in
    +*) live[\${line#+}]=1 ;;
    -*) unset "live[\${line#-}]" ;;
  esac
done
for g in "\${!live[@]}"; do kill -KILL -- "-$g" 2>/dev/null || kill -KILL "$g" 2>/dev/null; done`;

const BASH = ['/bin/bash', '/usr/bin/bash'].find((p) => process.platform !== 'win32' && existsSync(p));

let child: ChildProcess | null | undefined;

/**
 * Starts the watchdog (once per process). Call it before forking a terminal: the watchdog would
 * otherwise inherit the open terminals' parent sides (node-pty leaves them inheritable) and keep
 * them open.
 */
export function watchdog(): ChildProcess | null {
  if (child !== undefined) return child;
  child = null;
  if (!BASH) return child; // no bash: no watchdog (docs/reliability.md says so)
  try {
    // No inherited environment: it needs none, and should not look like one of the run's processes.
    const c = spawn(BASH, ['-c', SCRIPT], { stdio: ['pipe', 'ignore', 'ignore'], detached: true, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    // It must never keep relay alive, nor crash it when it is gone.
    c.on('error', () => (child = null));
    c.stdin!.on('error', () => (child = null));
    c.unref();
    (c.stdin as unknown as { unref?: () => void }).unref?.();
    child = c;
  } catch {
    child = null;
  }
  return child;
}

/** The watchdog's pid, once started (for tests and diagnostics). */
export function watchdogPid(): number | undefined {
  return child?.pid;
}

/** A worker leading process group `pgid` has started: kill it if relay dies. */
export function watchGroup(pgid: number): void {
  watchdog()?.stdin?.write(`+${pgid}\n`);
}

/** That worker has ended and was reaped: its pid may be reused, forget it. */
export function unwatchGroup(pgid: number): void {
  child?.stdin?.write(`-${pgid}\n`);
}
