// Private things stay private (issue 13, class 10), against the built CLI with real git
// repositories and real file modes: worktrees in a private, unpredictable folder; a task's cwd
// kept inside its worktree; a config file never changes a run unseen.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Frame, WorkerExited } from '../src/frames/types.js';
import { parseFrames, relayAsync } from './helpers/cli.js';
import { tmp } from './helpers/temp.js';

const IDENTITY = ['-c', 'user.name=relay test', '-c', 'user.email=test@relay.invalid', '-c', 'commit.gpgsign=false'];

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', [...IDENTITY, '-C', cwd, ...args], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
}

/** A repository with a sub-folder and a committed symbolic link to the file system's root. */
function makeRepo(): string {
  const dir = tmp('relay-private-');
  git(dir, 'init', '-q', '-b', 'main');
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'file.txt'), 'secret\n');
  symlinkSync('/', join(dir, 'root-link'));
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'first');
  return dir;
}

const exitedOf = (frames: Frame[]): WorkerExited[] => frames.filter((f): f is WorkerExited => f.type === 'worker_exited');

describe('worktrees', () => {
  it('live in a folder of their own run, mode 0700, under a name nobody can predict, removed afterwards', async () => {
    const repo = makeRepo();
    const paths: string[] = [];
    for (const keep of [true, true, false]) {
      const r = await relayAsync(['fanout', '--task', 'a', '--worktree', ...(keep ? ['--keep-worktrees'] : []), '--progress', 'none', '--', 'sh', '-c', 'pwd', '_', '{}'], { cwd: repo });
      expect(r.status, r.stderr).toBe(0);
      const wt = exitedOf(parseFrames(r.stdout))[0]!.worktree!;
      paths.push(wt.path);
      const folder = dirname(wt.path);
      expect(existsSync(folder)).toBe(keep);
      if (keep) {
        expect(statSync(folder).mode & 0o777).toBe(0o700);
        expect(dirname(folder)).toBe(tmpdir());
        expect(basename(folder)).toMatch(/^relay-worktrees-.+-[A-Za-z0-9]{6}$/);
      }
    }
    // Three runs, three different folders, none of them shared.
    expect(new Set(paths.map(dirname)).size).toBe(3);
    // What a user does with kept worktrees in the end: remove them and their run's folder.
    for (const path of paths.slice(0, 2)) {
      git(repo, 'worktree', 'remove', '--force', path);
      rmSync(dirname(path), { recursive: true, force: true });
    }
  });

  it("keeps a task's cwd inside its worktree: ../.., /, a path through .. or a symbolic link out cannot start", async () => {
    const repo = makeRepo();
    const tasks = join(tmp('relay-private-tasks-'), 'tasks.ndjson');
    const cwds = ['sub', '../../..', '/', 'sub/../..', 'root-link', 'root-link/etc', '/etc'];
    writeFileSync(tasks, cwds.map((cwd, i) => JSON.stringify({ id: `t${i}`, prompt: 'x', cwd })).join('\n') + '\n');
    const r = await relayAsync(['fanout', '--tasks', tasks, '--worktree', '--progress', 'none', '--', 'sh', '-c', 'pwd; cat file.txt', '_', '{}'], { cwd: repo });
    const byTask = new Map(exitedOf(parseFrames(r.stdout)).map((f) => [f.task, f]));
    expect(byTask.get(1)!.exit_code).toBe(0);
    for (let task = 2; task <= cwds.length; task++) {
      expect(byTask.get(task)!.reason, cwds[task - 1]).toBe('spawn_error');
      expect(byTask.get(task)!.error).toMatch(/leads outside the task's worktree/);
    }
    const out = parseFrames(r.stdout).filter((f) => f.type === 'worker_stream' && f.task === 1).map((f) => (f as { data: string }).data).join('');
    expect(out).toMatch(/\/sub\r\nsecret\r\n/);
    expect(git(repo, 'worktree', 'list').trim().split('\n')).toHaveLength(1); // all removed
  });
});

describe('relay.config.json', () => {
  function configured(): string {
    const dir = tmp('relay-config-');
    writeFileSync(join(dir, 'relay.config.json'), JSON.stringify({
      presets: { claude: { command: ['sh', '-c', 'echo not claude: "$1"', '_', '{}'] } },
      defaults: { agent: 'sim' },
    }));
    return dir;
  }
  const agentEvents = (stdout: string): number => parseFrames(stdout).filter((f) => f.type === 'agent_event').length;

  it('says on stderr which file is used, which built-in it replaces, and that its default agent runs the tasks', async () => {
    const dir = configured();
    const plain = await relayAsync(['fanout', '--task', 'hello', '--progress', 'none'], { cwd: dir });
    expect(plain.status).toBe(0);
    expect(agentEvents(plain.stdout)).toBeGreaterThan(0); // the config's agent ran…
    expect(plain.stderr).toBe(`relay: using relay.config.json (${join(dir, 'relay.config.json')}; --no-config to ignore it); its preset claude replaces the built-in; its defaults.agent runs sim on every task\n`); // …and said so
  });

  it('is ignored with --no-config or RELAY_NO_CONFIG=1: the built-ins, the flags, no notice', async () => {
    const dir = configured();
    for (const [args, env] of [[['--no-config'], {}], [[], { RELAY_NO_CONFIG: '1' }]] as const) {
      const r = await relayAsync(['fanout', '--task', 'hello', '--progress', 'none', ...args], { cwd: dir, env });
      expect(r.status).toBe(0);
      expect(r.stderr).toBe('');
      expect(agentEvents(r.stdout)).toBe(0);
    }
  });
});
