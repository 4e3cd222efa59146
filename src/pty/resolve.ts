import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

export type Resolved =
  | { ok: true; file: string }
  | { ok: false; exitCode: 127 | 126; error: string };

function check(path: string): 'ok' | 'missing' | 'not_executable' | 'directory' {
  try {
    if (statSync(path).isDirectory()) return 'directory';
  } catch {
    return 'missing';
  }
  try {
    accessSync(path, constants.X_OK);
    return 'ok';
  } catch {
    return 'not_executable';
  }
}

/**
 * Finds a command the way a POSIX shell does, so that a worker that cannot start gets the
 * shell's exit codes: 127 when nothing is found, 126 when what is found cannot be executed.
 * (node-pty would fork anyway and report exit 1 with execvp's message on the terminal.)
 */
export function resolveCommand(command: string, env: Record<string, string | undefined>, cwd: string): Resolved {
  if (command === '') return { ok: false, exitCode: 127, error: 'empty command' };
  if (command.includes('/')) {
    const path = isAbsolute(command) ? command : resolve(cwd, command);
    const state = check(path);
    if (state === 'ok') return { ok: true, file: path };
    if (state === 'directory') return { ok: false, exitCode: 126, error: `${command}: is a directory` };
    return state === 'missing'
      ? { ok: false, exitCode: 127, error: `${command}: no such file or directory` }
      : { ok: false, exitCode: 126, error: `${command}: permission denied (not an executable file)` };
  }
  let sawNotExecutable = false;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const path = join(dir === '' ? cwd : resolve(cwd, dir), command);
    const state = check(path);
    if (state === 'ok') return { ok: true, file: path };
    if (state === 'not_executable') sawNotExecutable = true;
  }
  return sawNotExecutable
    ? { ok: false, exitCode: 126, error: `${command}: permission denied (not an executable file)` }
    : { ok: false, exitCode: 127, error: `${command}: command not found` };
}
