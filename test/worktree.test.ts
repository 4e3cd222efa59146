import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseShortstat, safeRefPart, sweepWorktrees, Worktrees } from '../src/agents/worktree.js';
import { fanout } from '../src/fanout/run.js';
import type { WorkerStream } from '../src/frames/types.js';
import { RelayError } from '../src/errors.js';
import { exited, ROOT, waitForOutput } from './helpers/cli.js';
import { branches, git, makeRepo as makeGitRepo, tmp, worktreePaths } from './helpers/temp.js';

/** Worktrees.open, cleaned up when the test is done (a run's folder stays until cleanup()). */
async function openWorktrees(...args: Parameters<typeof Worktrees.open>): Promise<Worktrees> {
  const wts = await Worktrees.open(...args);
  onTestFinished(() => wts.cleanup());
  return wts;
}

const makeRepo = (): string => makeGitRepo({ 'README.md': 'hello\n', '.gitignore': 'node_modules/\n' });

async function usageMessage(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(RelayError);
  expect((err as RelayError).code).toBe('USAGE');
  expect((err as RelayError).option).toBe('worktree');
  return (err as Error).message;
}

describe('a git worktree per task', () => {
  it('refuses, in one line, outside a git repository and in a repository with no commit', async () => {
    const plain = tmp('relay-nogit-');
    expect(await usageMessage(Worktrees.open(plain, 'run1'))).toBe(`worktree: ${plain} is not inside a git repository`);
    git(plain, 'init', '-q');
    expect(await usageMessage(Worktrees.open(plain, 'run1'))).toMatch(/^worktree: the repository at .+ has no commit yet to branch from$/);
  });

  it('makes a worktree on branch relay/<run>/<task> at HEAD; a process run in it changes only it; the diff stat counts untracked files', async () => {
    const repo = makeRepo();
    const wts = await openWorktrees(join(repo), 'a1b2c3d4-ffff-4000-8000-000000000000');
    const wt = await wts.create('fix the cache');
    expect(wt.branch).toBe('relay/a1b2c3d4/fix-the-cache');
    expect(wt.base).toBe(git(repo, 'rev-parse', 'HEAD').trim());
    expect(readFileSync(join(wt.path, 'README.md'), 'utf8')).toBe('hello\n');
    expect(git(wt.path, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe(wt.branch);
    // The worker: a real process whose cwd is the worktree.
    execFileSync('sh', ['-c', 'pwd > where.txt; printf "hello\\nworld\\n" > README.md; mkdir -p node_modules; echo x > node_modules/ignored.js'], { cwd: wt.path });
    expect(readFileSync(join(wt.path, 'where.txt'), 'utf8').trim()).toBe(wt.path);
    expect(readFileSync(join(repo, 'README.md'), 'utf8')).toBe('hello\n');
    expect(existsSync(join(repo, 'where.txt'))).toBe(false);
    expect(await wts.diffStat(wt)).toEqual({ files_changed: 2, insertions: 2, deletions: 0 });
    const patch = await wts.diff(wt);
    expect(patch).toContain('+world');
    expect(patch).toContain(`+${wt.path}`);
    expect(patch).not.toContain('ignored.js');
  });

  it('runs a fanout worker in its worktree (a real terminal): what it writes lands there and is counted', async () => {
    const repo = makeRepo();
    const wts = await openWorktrees(repo, 'run00009');
    const wt = await wts.create('in-pty');
    const run = fanout({ workers: 1, cwd: wt.path, command: ['sh', '-c', 'pwd; printf "one\\ntwo\\n" > made-by-worker.txt'] });
    let screen = '';
    for await (const f of run) if (f.type === 'worker_stream') screen += (f as WorkerStream).data;
    expect((await run.result).ok).toBe(true);
    expect(screen.trim()).toBe(wt.path);
    expect(readFileSync(join(wt.path, 'made-by-worker.txt'), 'utf8')).toBe('one\ntwo\n');
    expect(await wts.finish(wt)).toMatchObject({ files_changed: 1, insertions: 2, deletions: 0, kept: false });
    expect(existsSync(wt.path)).toBe(false);
  });

  it('removes the worktree and its commit-less branch after the worker, reporting the diff stat', async () => {
    const repo = makeRepo();
    const wts = await openWorktrees(repo, 'run00001');
    const wt = await wts.create('t1');
    writeFileSync(join(wt.path, 'new.txt'), 'a\nb\nc\n');
    const info = await wts.finish(wt);
    expect(info).toEqual({ path: wt.path, branch: 'relay/run00001/t1', base: wt.base, files_changed: 1, insertions: 3, deletions: 0, kept: false });
    expect(existsSync(wt.path)).toBe(false);
    expect(worktreePaths(repo)).toHaveLength(1);
    expect(branches(repo)).toEqual(['main']);
  });

  it('keeps a branch the agent committed to, and everything with keep', async () => {
    const repo = makeRepo();
    // Kept worktrees outlive the run: made in a folder of this test's, so they go with it.
    const wts = await openWorktrees(repo, 'run00002', { baseDir: tmp('relay-kept-') });
    const committed = await wts.create('committed');
    writeFileSync(join(committed.path, 'README.md'), 'changed\n');
    git(committed.path, 'commit', '-q', '-am', 'agent work');
    expect(await wts.finish(committed)).toMatchObject({ files_changed: 1, insertions: 1, deletions: 1, kept: false });
    expect(existsSync(committed.path)).toBe(false);
    expect(branches(repo)).toEqual(['main', 'relay/run00002/committed']);

    const kept = await wts.create('kept');
    expect(await wts.finish(kept, true)).toMatchObject({ files_changed: 0, kept: true });
    expect(existsSync(kept.path)).toBe(true);
    expect(branches(repo)).toContain('relay/run00002/kept');
  });

  it('gives tasks whose names clash after cleaning distinct branches, also when made at once', async () => {
    const repo = makeRepo();
    const wts = await openWorktrees(repo, 'run00003');
    const made = await Promise.all(['fix: the cache!', 'fix  the cache', 'fix the cache', '../etc/passwd', '', 'a.lock'].map((t) => wts.create(t)));
    const names = made.map((w) => w.branch.split('/').slice(2).join('/'));
    expect(new Set(names).size).toBe(6);
    for (const w of made) expect(git(w.path, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe(w.branch);
    expect(made.every((w) => w.path.startsWith(made[0]!.path.slice(0, made[0]!.path.lastIndexOf('/'))))).toBe(true);
    await wts.cleanup();
    expect(branches(repo)).toEqual(['main']);
  });

  it('cleans up idempotently: twice, or after a worktree was already removed', async () => {
    const repo = makeRepo();
    const wts = await openWorktrees(repo, 'run00004');
    const a = await wts.create('a');
    await wts.create('b');
    await wts.remove(a);
    await Promise.all([wts.cleanup(), wts.cleanup()]);
    await wts.cleanup();
    expect(worktreePaths(repo)).toEqual([git(repo, 'rev-parse', '--show-toplevel').trim()]);
    expect(branches(repo)).toEqual(['main']);
  });

  it('leaves nothing behind after Ctrl-C (SIGINT) in the middle of a run', async () => {
    const repo = makeRepo();
    const child = spawn(process.execPath, [join(ROOT, 'test/fixtures/worktrees-until-sigint.mjs'), repo, 'sigint01', '3'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const ready = await waitForOutput(child.stdout!, /ready .*\n/);
    const paths = ready.trim().split(' ').slice(1);
    expect(paths).toHaveLength(3);
    expect(paths.every((p) => existsSync(p))).toBe(true);
    expect(branches(repo)).toHaveLength(4);
    child.kill('SIGINT');
    expect(await exited(child)).toEqual({ code: 130, signal: null });
    expect(paths.some((p) => existsSync(p))).toBe(false);
    expect(worktreePaths(repo)).toHaveLength(1);
    expect(branches(repo)).toEqual(['main']);
  });

  it('sweeps the worktrees a killed run left, and only that run\'s', async () => {
    const repo = makeRepo();
    const dead = await openWorktrees(repo, 'deadrun1');
    const left = await dead.create('x');
    const alive = await openWorktrees(repo, 'liverun1');
    const other = await alive.create('y');
    expect(await sweepWorktrees(repo, 'deadrun1')).toEqual([left.path]);
    expect(existsSync(left.path)).toBe(false);
    expect(existsSync(other.path)).toBe(true);
    expect(branches(repo)).toEqual(['main', 'relay/liverun1/y']);
    await alive.cleanup();
  });
});

describe('worktree helpers', () => {
  it('parses git diff --shortstat, singular and plural', () => {
    expect(parseShortstat(' 3 files changed, 10 insertions(+), 2 deletions(-)\n')).toEqual({ files_changed: 3, insertions: 10, deletions: 2 });
    expect(parseShortstat(' 1 file changed, 1 deletion(-)\n')).toEqual({ files_changed: 1, insertions: 0, deletions: 1 });
    expect(parseShortstat('')).toEqual({ files_changed: 0, insertions: 0, deletions: 0 });
  });

  it('makes task keys safe for branch names', () => {
    expect(safeRefPart('fix: the cache!')).toBe('fix-the-cache');
    expect(safeRefPart('../etc/passwd')).toBe('etc-passwd');
    expect(safeRefPart('a..b.lock')).toBe('a.b');
    expect(safeRefPart('')).toBe('task');
  });
});
