// Where runs put their control sockets: one private directory per user. Only the run's own user
// may reach a run, and the directory is what enforces it: 0700, owned by that user, not a
// symbolic link. (A Unix socket's peer credentials, SO_PEERCRED, are not reachable from Node
// without native code; a directory nobody else can enter is the portable check, and the kernel
// makes it: connect() needs search permission on every directory of the socket's path.)
import { lstatSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { usageError } from '../errors.js';

/** `$XDG_RUNTIME_DIR/relay` when set (per user, private, cleared at logout), else `<tmp>/relay-<uid>`. */
export function controlDir(env: NodeJS.ProcessEnv = process.env): string {
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime) return join(runtime, 'relay');
  return join(tmpdir(), `relay-${process.getuid?.() ?? 'user'}`);
}

/**
 * The control directory, made (0700) when `create` is set, and checked: it must be a real
 * directory owned by us that nobody else can enter. Returns undefined when it does not exist
 * (and was not to be made); throws a usage error saying what is wrong otherwise.
 */
export function privateDir(create: boolean, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = controlDir(env);
  if (create) {
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw usageError(`cannot make the control directory ${dir}: ${(err as Error).message}`);
    }
  }
  let stat;
  try {
    stat = lstatSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw usageError(`control directory ${dir}: ${(err as Error).message}`);
  }
  checkPrivate(dir, stat);
  return dir;
}

function checkPrivate(dir: string, stat: import('node:fs').Stats): void {
  const refuse = (why: string): never => {
    throw usageError(`control directory ${dir} ${why}; refusing to use it (it must be a directory of yours with mode 0700)`);
  };
  if (stat.isSymbolicLink()) refuse('is a symbolic link');
  if (!stat.isDirectory()) refuse('is not a directory');
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) refuse(`belongs to uid ${stat.uid}, not to you (uid ${uid})`);
  if ((stat.mode & 0o077) !== 0) refuse(`has mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')}, open to others`);
}

/** A run's socket: named by its run id, so `relay ls` can tell runs apart before connecting. */
export function socketPath(dir: string, runId: string): string {
  return join(dir, `${runId}.sock`);
}
