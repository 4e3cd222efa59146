// Temporary folders and git repositories for tests, removed when the test (or, when made outside
// a test, the file) is done. Everything relay itself puts in the temp folder (worktrees) lands
// under the run's own TMPDIR (test/helpers/global-setup.ts), which is checked and removed at the end.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';

const madeHere = new Set<string>();

function remove(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  madeHere.delete(dir);
}

// Folders made outside a test (in describe blocks, at load) live until the file is done.
afterAll(() => {
  for (const dir of madeHere) remove(dir);
});

/** A new empty folder, removed when the current test has finished (or the file, outside a test). */
export function tmp(prefix = 'relay-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  madeHere.add(dir);
  try {
    onTestFinished(() => remove(dir));
  } catch {
    // not inside a test: afterAll removes it
  }
  return dir;
}

/** A file in a new temporary folder. */
export function tmpFile(name: string, content: string | Buffer = ''): string {
  const file = join(tmp(), name);
  writeFileSync(file, content);
  return file;
}

const IDENTITY = ['-c', 'user.name=relay test', '-c', 'user.email=test@relay.invalid', '-c', 'commit.gpgsign=false'];

/** git in `cwd` with a fixed identity and the C locale; its stdout. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', [...IDENTITY, '-C', cwd, ...args], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
}

/** A git repository on branch main with one commit of `files` (default: a README), removed like tmp(). */
export function makeRepo(files: Record<string, string> = { 'README.md': 'hello\n' }, prefix = 'relay-repo-'): string {
  const dir = tmp(prefix);
  git(dir, 'init', '-q', '-b', 'main');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'first');
  return dir;
}

export const branches = (repo: string): string[] => git(repo, 'branch', '--format=%(refname:short)').trim().split('\n').filter(Boolean).sort();
export const worktreePaths = (repo: string): string[] =>
  git(repo, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).map((l) => l.slice(9));
