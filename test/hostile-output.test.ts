// Output that fails, for real: stdout on /dev/full (a full disk), a stdout or stderr whose reader
// left before relay wrote anything (a pipe closed at once), stderr on /dev/full. Every command
// that writes (fanout, merge, summary, replay, schema) against each: one line naming the
// destination and the cause, the documented exit status, never a stack trace; a failing stderr
// silences messages and nothing else.
import { execFileSync } from 'node:child_process';
import { openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exited, parseFrames, relayAsync, spawnRelay } from './helpers/cli.js';
import { tmp } from './helpers/temp.js';

const STACK = /Error:|\n\s+at |node:internal/;
const FANOUT = ['fanout', '-w', '3', '--progress', 'plain', '--', 'bash', '-c', 'seq 1 3000; exit $(( {} == 2 ))'];

/** A saved run for the commands that read one. */
async function savedRun(dir: string): Promise<string> {
  const file = join(dir, 'run.ndjson');
  const r = await relayAsync(['fanout', '-w', '2', '--progress', 'none', '--output', file, '--', 'bash', '-c', 'seq 1 500']);
  expect(r.status).toBe(0);
  return file;
}

function corpus(file: string): Record<string, string[]> {
  return {
    fanout: FANOUT,
    merge: ['merge', file],
    summary: ['summary', file],
    replay: ['replay', file],
    transcript: ['replay', file, '--transcript'],
    schema: ['schema'],
  };
}

/** Runs relay with its stdio as given (fds of real files), to the end. */
async function run(args: string[], stdio: ['ignore', number | 'pipe', number | 'pipe'], closeEarly?: 'stdout' | 'stderr') {
  const child = spawnRelay(args, { stdio });
  let stdout = '';
  let stderr = '';
  // A reader that leaves before relay writes its first byte: every write after is EPIPE.
  if (closeEarly) child[closeEarly]!.destroy();
  if (closeEarly !== 'stdout') child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  if (closeEarly !== 'stderr') child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const { code } = await exited(child);
  return { code, stdout, stderr };
}

// Each case starts several relays at once; on a loaded machine one start alone can take seconds.
describe('output fails', { timeout: 300_000 }, () => {
  it('stdout on a full disk (/dev/full): every command prints one line naming stdout and ENOSPC and exits 74', async () => {
    const dir = tmp();
    const cases = Object.entries(corpus(await savedRun(dir)));
    const results = await Promise.all(cases.map(([name, args]) => run(name === 'fanout' ? [...args.slice(0, 4), 'none', ...args.slice(5)] : args, ['ignore', openSync('/dev/full', 'w'), 'pipe'])));
    for (const [i, [name]] of cases.entries()) {
      const r = results[i]!;
      expect(r.code, name).toBe(74);
      expect(r.stderr, name).toMatch(/^relay: cannot write to stdout: ENOSPC: no space left on device[^\n]*\n$/);
    }
  });

  it('--output on a full disk names the file and ENOSPC, exits 74', async () => {
    const r = await relayAsync(['fanout', '-w', '2', '--progress', 'plain', '--output', '/dev/full', '--', 'bash', '-c', 'seq 1 3000']);
    expect(r.status).toBe(74);
    expect(r.stderr).not.toMatch(STACK);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toMatch(/^relay: cannot write to \/dev\/full: ENOSPC/);
  });

  it('stdout whose reader left at once: every command exits 141 without a stack trace; fanout names stdout and EPIPE', async () => {
    const dir = tmp();
    const cases = Object.entries(corpus(await savedRun(dir)));
    const results = await Promise.all(cases.map(([, args]) => run(args, ['ignore', 'pipe', 'pipe'], 'stdout')));
    for (const [i, [name]] of cases.entries()) {
      const r = results[i]!;
      expect(r.code, name).toBe(141);
      expect(r.stderr, name).not.toMatch(STACK);
      if (name === 'fanout') expect(r.stderr.trimEnd().split('\n').at(-1)).toBe('relay: stdout: the reader closed its end (EPIPE)');
    }
  });

  it.each(['closed', 'full'] as const)('stderr %s (closed: its reader left at once; full: /dev/full): frames and exit status are untouched', async (stderrHow) => {
    const dir = tmp();
    const file = await savedRun(dir);
    const expected = { fanout: 1, merge: 0, summary: 0, replay: 0, transcript: 0, schema: 0 } as Record<string, number>;
    const cases = Object.entries(corpus(file)).map(([name, args]) => [name, args, stderrHow] as const);
    const results = await Promise.all(
      cases.map(([, args, how]) => (how === 'closed' ? run(args, ['ignore', 'pipe', 'pipe'], 'stderr') : run(args, ['ignore', 'pipe', openSync('/dev/full', 'w')]))),
    );
    for (const [i, [name, , how]] of cases.entries()) {
      {
        const r = results[i]!;
        expect(r.code, `${name} stderr ${how}`).toBe(expected[name]);
        expect(r.stdout.length, name).toBeGreaterThan(0);
        if (name === 'fanout' || name === 'merge') {
          const frames = parseFrames(r.stdout);
          expect(frames.at(-1)!.type).toBe('run_finished');
          if (name === 'fanout') expect(frames.filter((f) => f.type === 'worker_exited')).toHaveLength(3);
        }
      }
    }
  });

  it('the error edge with stderr gone: a bad input still exits 2, stdout empty', async () => {
    const cases = [['summary', '/nonexistent.ndjson'], ['fanout', '--workers', '0'], ['replay', '--bogus']];
    const results = await Promise.all(cases.map((args) => run(args, ['ignore', 'pipe', 'pipe'], 'stderr')));
    for (const [i, args] of cases.entries()) {
      const r = results[i]!;
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
    }
  });

  it('--worktree runs leave no worktree or relay/* branch when stdout is a full disk', async () => {
    const repo = tmp('relay-repo-');
    const git = (...a: string[]): string => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t.invalid', '-C', repo, ...a], { encoding: 'utf8' });
    git('init', '-q', '-b', 'main');
    writeFileSync(join(repo, 'README.md'), 'hello\n');
    git('add', '.');
    git('commit', '-q', '-m', 'first');
    const child = spawnRelay(['fanout', '--worktree', '-w', '2', '--task', 'a', '--task', 'b', '--progress', 'none', '--', 'bash', '-c', 'seq 1 3000'], {
      cwd: repo,
      stdio: ['ignore', openSync('/dev/full', 'w'), 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    expect((await exited(child)).code).toBe(74);
    expect(stderr).toMatch(/^relay: cannot write to stdout: ENOSPC/m);
    expect(git('worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
    expect(git('branch', '--format=%(refname:short)').trim()).toBe('main');
  });
});
