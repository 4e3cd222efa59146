// --worktree: every task gets its own git worktree, on its own branch relay/<run>/<task>, made
// from the repository's HEAD commit before the worker starts. After the worker ends, its diff
// against that commit (untracked files included) is measured, and the worktree is removed
// unless kept. The branch is deleted with it when the agent committed nothing, and kept (named
// in the report) when it holds commits. Removal is idempotent, and cleanup() removes whatever
// this run still has, so a stop at any moment (Ctrl-C) leaves nothing behind.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { text } from 'node:stream/consumers';
import { RelayError, usageError } from '../errors.js';
import type { WorktreeInfo } from '../frames/agent.js';

/**
 * Runs a program to its end: its stdout, or a rejection carrying its stderr. In its own process
 * group (detached): Ctrl-C in a terminal signals the whole foreground group, and a git killed
 * half-way through `worktree add` or `remove` would leave a worktree or branch behind.
 */
async function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string }> {
  const child = spawn(file, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const [stdout, stderr, code] = await Promise.all([
    text(child.stdout),
    text(child.stderr),
    new Promise<number | null>((resolve, reject) => child.once('error', reject).once('close', resolve)),
  ]);
  if (code === 0) return { stdout };
  throw Object.assign(new Error(`${file} exited with ${code ?? 'a signal'}`), { stderr });
}

/** Branches relay makes all start with this; the sweep touches nothing else. */
export const BRANCH_PREFIX = 'relay/';

export interface Worktree {
  /** The task key it was made for. */
  task: string;
  path: string;
  branch: string;
  /** The commit it was made from. */
  base: string;
}

export interface DiffStat {
  files_changed: number;
  insertions: number;
  deletions: number;
}

/** Runs git; rejects with a RelayError (code GIT) of its first line of stderr, the failure as cause. */
async function git(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run('git', ['-C', cwd, ...args], { ...process.env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' });
    return stdout;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw usageError('git is not installed (not found on PATH)', { option: 'worktree', cause: err });
    const line = (e.stderr ?? e.message).split('\n').find((l) => l.trim() !== '') ?? e.message;
    throw new RelayError('GIT', `git ${args[0]}: ${line.trim()}`, { cause: err });
  }
}

async function succeeds(cwd: string, args: string[]): Promise<boolean> {
  return git(cwd, args).then(() => true, () => false);
}

/** The top of the git repository holding `cwd`; a usage error (one line) outside one. */
export async function repositoryRoot(cwd: string): Promise<string> {
  const root = await git(cwd, ['rev-parse', '--show-toplevel']).catch((err: unknown) => {
    if (err instanceof RelayError && err.code === 'USAGE') throw err;
    throw usageError(`${cwd} is not inside a git repository`, { option: 'worktree', value: cwd, cause: err });
  });
  return root.trim();
}

/** A new folder only this user can enter, under an unpredictable name (mkdtemp makes it 0700; the chmod says so). */
function privateDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o700);
  return dir;
}

/** A branch-name-safe form of a task key (git check-ref-format rules, kept short). */
export function safeRefPart(text: string): string {
  const cleaned = text
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[.-]+|[.-]+$/g, '')
    .replace(/\.lock$/i, '')
    .slice(0, 60)
    .replace(/[.-]+$/, '');
  return cleaned || 'task';
}

export interface WorktreesOptions {
  /**
   * Where worktrees are made (a folder per run below it). Default: a private folder of this run,
   * made by mkdtemp (unpredictable name, mode 0700) in the system temp directory:
   * <tmpdir>/relay-worktrees-<repo name>-<hash of its path>-<run>-XXXXXX. A shared, predictable
   * folder there could be made in advance or read by another local user.
   */
  baseDir?: string;
}

/** One run's worktrees in one repository. */
export class Worktrees {
  private readonly live = new Map<string, Worktree>();
  /** Worktrees left in place (--keep-worktrees). */
  private kept = 0;
  private readonly names = new Set<string>();

  private constructor(
    readonly root: string,
    readonly base: string,
    readonly runPart: string,
    /** The folder of this run's worktrees; made with the first worktree, so an early usage error leaves nothing. */
    private readonly makeDir: () => string,
  ) {}

  private dirMade: string | undefined;

  /** The tail of this run's git worktree add/remove/prune calls: see `serial`. */
  private admin: Promise<unknown> = Promise.resolve();

  /**
   * Runs a change to the repository's worktree list after the previous one ended: git reads every
   * worktree's admin folder while changing its own, and a neighbour's half-made one fails it
   * ("failed to read .git/worktrees/alpha/commondir", seen when two tasks started together).
   */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.admin.then(work, work);
    this.admin = next.catch(() => {});
    return next;
  }

  private get dir(): string {
    return (this.dirMade ??= this.makeDir());
  }

  /** Checks the repository (one-line usage errors) and pins the commit every task starts from. */
  static async open(cwd: string, runId: string, options: WorktreesOptions = {}): Promise<Worktrees> {
    const root = await repositoryRoot(cwd);
    const head = await git(root, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']).catch((err: unknown) => {
      throw usageError(`the repository at ${root} has no commit yet to branch from`, { option: 'worktree', value: root, cause: err });
    });
    const runPart = safeRefPart(runId.slice(0, 8));
    const repoKey = `${safeRefPart(basename(root))}-${createHash('sha256').update(root).digest('hex').slice(0, 8)}`;
    const { baseDir } = options;
    const makeDir = baseDir !== undefined ? () => join(baseDir, runPart) : () => privateDir(`relay-worktrees-${repoKey}-${runPart}-`);
    return new Worktrees(root, head.trim(), runPart, makeDir);
  }

  /** Makes the task's worktree and branch; the worker's cwd should be its `path`. */
  async create(task: string): Promise<Worktree> {
    const name = await this.uniqueName(safeRefPart(task));
    const wt: Worktree = { task, path: join(this.dir, name), branch: `${BRANCH_PREFIX}${this.runPart}/${name}`, base: this.base };
    mkdirSync(this.dir, { recursive: true });
    await this.serial(() => git(this.root, ['worktree', 'add', '--quiet', '-b', wt.branch, wt.path, this.base]));
    this.live.set(wt.path, wt);
    return wt;
  }

  /** Its changes against the base commit: committed, staged, unstaged and untracked (not ignored). */
  async diffStat(wt: Worktree): Promise<DiffStat> {
    await this.includeUntracked(wt);
    return parseShortstat(await git(wt.path, ['diff', '--shortstat', wt.base]));
  }

  /** The same changes as a patch (for the results folder). */
  async diff(wt: Worktree): Promise<string> {
    await this.includeUntracked(wt);
    return git(wt.path, ['diff', '--binary', wt.base]);
  }

  /**
   * After the worker ended: the diff stat, then removal unless `keep`. What worker_exited
   * reports as `worktree`.
   */
  async finish(wt: Worktree, keep = false): Promise<WorktreeInfo> {
    const stat = await this.diffStat(wt);
    if (!keep) await this.remove(wt);
    else this.keep(wt);
    return { path: wt.path, branch: wt.branch, base: wt.base, ...stat, kept: keep };
  }

  /** Removes a worktree (and its branch if it holds no commits). Idempotent. */
  async remove(wt: Worktree): Promise<void> {
    this.live.delete(wt.path);
    await this.serial(() => removeWorktree(this.root, wt.path, wt.branch, wt.base));
  }

  /** Leaves it for the user (--keep-worktrees): cleanup() no longer touches it, nor the run's folder. */
  private keep(wt: Worktree): void {
    this.live.delete(wt.path);
    this.kept += 1;
  }

  /** Removes every worktree of this run not removed (or kept) yet: for Ctrl-C and other early ends. Idempotent. */
  async cleanup(): Promise<void> {
    // Every worktree is tried, then the first failure (code GIT) is thrown: the caller says it.
    const removed = await Promise.allSettled([...this.live.values()].map((wt) => this.remove(wt)));
    // Each remove() pruned already; this one drops registrations of folders deleted by hand. If it
    // fails, what is left is bookkeeping in .git/worktrees that git prunes itself later (gc).
    await this.serial(() => git(this.root, ['worktree', 'prune'])).catch(() => {});
    const failed = removed.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    if (this.kept > 0 || this.dirMade === undefined) return;
    rmSync(this.dirMade, { recursive: true, force: true });
  }

  /** Worktrees made and not yet removed. */
  get open(): readonly Worktree[] {
    return [...this.live.values()];
  }

  private async uniqueName(wanted: string): Promise<string> {
    for (let i = 1; ; i++) {
      const name = i === 1 ? wanted : `${wanted}-${i}`;
      if (this.names.has(name)) continue;
      // Reserved before the await, so tasks created at the same time never pick the same name.
      this.names.add(name);
      if (await succeeds(this.root, ['rev-parse', '--verify', '--quiet', `refs/heads/${BRANCH_PREFIX}${this.runPart}/${name}`])) continue;
      return name;
    }
  }

  /** Marks untracked files as intended to add, so that diff counts them (.gitignore respected). */
  private async includeUntracked(wt: Worktree): Promise<void> {
    await git(wt.path, ['add', '--intent-to-add', '--all', '--', '.']);
  }
}

/** " 3 files changed, 10 insertions(+), 2 deletions(-)" → numbers; "" → zeros. */
export function parseShortstat(text: string): DiffStat {
  const n = (re: RegExp): number => Number(re.exec(text)?.[1] ?? 0);
  return { files_changed: n(/(\d+) files? changed/), insertions: n(/(\d+) insertions?\(\+\)/), deletions: n(/(\d+) deletions?\(-\)/) };
}

/**
 * Removes a worktree and its branch, unless the branch holds commits. Idempotent; throws a
 * RelayError (code GIT) when the folder or the branch is still there afterwards.
 */
async function removeWorktree(root: string, path: string, branch: string, base: string): Promise<void> {
  // It fails when the worktree is already gone (a second cleanup, removed by hand): the end state
  // is what counts, and the folder is checked below, whatever git said.
  await git(root, ['worktree', 'remove', '--force', '--force', path]).catch(() => {});
  if (existsSync(path)) rmSync(path, { recursive: true, force: true });
  // Its failure leaves the worktree registered, so `branch -D` below fails and is reported.
  await git(root, ['worktree', 'prune']).catch(() => {});
  // A branch the agent committed to holds its work: keep it. One with no commits of its own goes.
  if (await succeeds(root, ['merge-base', '--is-ancestor', `refs/heads/${branch}`, base])) {
    try {
      await git(root, ['branch', '-D', '--quiet', branch]);
    } catch (err) {
      // Deleted meanwhile (a concurrent cleanup of the same run) is done; anything else is said.
      if (await succeeds(root, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`])) {
        throw new RelayError('GIT', `could not delete branch ${branch}: ${(err as Error).message}`, { cause: err });
      }
    }
  }
  if (existsSync(path)) throw new RelayError('GIT', `could not remove worktree ${path}`);
}

/**
 * Removes relay's worktrees left in the repository holding `cwd` by run `runId` (or, with
 * `runId` undefined, by every run: only when no relay run is using this repository). Returns
 * the paths removed. Branches are removed with them when they hold no commits beyond HEAD.
 */
export async function sweepWorktrees(cwd: string, runId?: string): Promise<string[]> {
  const root = await repositoryRoot(cwd);
  // Drops registrations of folders already gone, so they are not listed below; when it fails,
  // those are listed and removeWorktree() finds nothing to remove there.
  await git(root, ['worktree', 'prune']).catch(() => {});
  const prefix = `refs/heads/${BRANCH_PREFIX}${runId === undefined ? '' : `${safeRefPart(runId.slice(0, 8))}/`}`;
  const head = (await git(root, ['rev-parse', 'HEAD'])).trim();
  const removed: string[] = [];
  for (const entry of parseWorktreeList(await git(root, ['worktree', 'list', '--porcelain']))) {
    if (!entry.branch?.startsWith(prefix)) continue;
    await removeWorktree(root, entry.path, entry.branch.slice('refs/heads/'.length), head);
    removed.push(entry.path);
    // The run's private folder, once empty (its name is relay's own).
    if (basename(dirname(entry.path)).startsWith('relay-worktrees-')) {
      try {
        rmdirSync(dirname(entry.path));
      } catch {
        // other worktrees of that run are still there
      }
    }
  }
  return removed;
}

function parseWorktreeList(text: string): { path: string; branch?: string }[] {
  return text
    .split('\n\n')
    .map((block) => {
      const path = /^worktree (.+)$/m.exec(block)?.[1];
      const branch = /^branch (.+)$/m.exec(block)?.[1];
      return path ? { path, ...(branch ? { branch } : {}) } : undefined;
    })
    .filter((e) => e !== undefined);
}
