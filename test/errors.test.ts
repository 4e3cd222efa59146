// The error family: code, option, value, cause; the engine names its options, the CLI edge their flags.
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliMessage, exitCodeFor, OPTION_FLAGS } from '../src/cli/errors.js';
import Fanout from '../src/commands/fanout.js';
import { RelayError, usageError, type RelayErrorCode } from '../src/errors.js';
import { EXIT_CODES } from '../src/exit-codes.js';
import { resolveOptions, type FanoutOptions } from '../src/fanout/options.js';
import { FrameReadError } from '../src/frames/read.js';
import { checkShardFile } from '../src/merge/read.js';
import { Worktrees } from '../src/agents/worktree.js';
import { FrameWriter } from '../src/writer/frame-writer.js';
import { PassThrough } from 'node:stream';
import { relayAsync } from './helpers/cli.js';
import { tmp } from './helpers/temp.js';
import { thrownRelayError } from './helpers/errors.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = tmp('relay-errors-');
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('RelayError', () => {
  it('carries code, option, value and cause; the message names the option, the reason does not', () => {
    const cause = new SyntaxError('x');
    const err = usageError('must be a positive integer, got 0', { option: 'workers', value: 0, cause });
    expect(err).toMatchObject({ name: 'RelayError', code: 'USAGE', option: 'workers', value: 0, reason: 'must be a positive integer, got 0' });
    expect(err.message).toBe('workers: must be a positive integer, got 0');
    expect(err.cause).toBe(cause);
    const plain = new RelayError('GIT', 'git worktree: fatal');
    expect(plain.message).toBe('git worktree: fatal');
    expect(plain.option).toBeUndefined();
    expect('cause' in plain).toBe(false);
  });

  it('maps every code to an exit status of the table, and anything else to 70 (a bug)', () => {
    const codes: RelayErrorCode[] = ['USAGE', 'BAD_FRAME', 'OUTPUT_CLOSED', 'OUTPUT_FAILED', 'GIT', 'UNSUPPORTED'];
    const table = new Set<number>(EXIT_CODES.map((e) => e.code));
    for (const code of codes) expect(table.has(exitCodeFor(new RelayError(code, 'x')))).toBe(true);
    expect(codes.map((c) => exitCodeFor(new RelayError(c, 'x')))).toEqual([2, 2, 141, 74, 69, 69]);
    expect(exitCodeFor(new TypeError('oops'))).toBe(70);
  });
});

describe('engine errors name the option a library caller passed, never a flag', () => {
  const base: FanoutOptions = { command: ['true'], spawn: () => { throw new Error('not spawned'); } };
  const corpus: [string, Partial<FanoutOptions>][] = [
    ['workers', { workers: 0 }],
    ['workers', { workers: 1.5 }],
    ['cols', { cols: -1 }],
    ['rows', { rows: Number.NaN }],
    ['retries', { retries: -1 }],
    ['retryDelayMs', { retryDelayMs: 0.5 }],
    ['timeoutMs', { timeoutMs: 0 }],
    ['idleTimeoutMs', { idleTimeoutMs: -5 }],
    ['maxFailures', { maxFailures: 0 }],
    ['graceMs', { graceMs: -1 }],
    ['highWaterMark', { highWaterMark: 0 }],
    ['lowWaterMark', { highWaterMark: 100, lowWaterMark: 101 }],
    ['lowWaterMark', { lowWaterMark: -1 }],
    ['shard', { shard: { k: 1, n: 2 } }],
    ['tasks', { tasks: ['a', { id: '1', prompt: 'b' }] }],
    ['command', { command: [] }],
    ['lines.quietMs', { lines: { quietMs: -1 } }],
    ['lines.maxLength', { lines: { maxLength: 0 } }],
  ];
  it.each(corpus)('%s', (option, bad) => {
    const err = thrownRelayError(() => resolveOptions({ ...base, ...bad }));
    expect(err.code).toBe('USAGE');
    expect(err.option).toBe(option);
    expect(err.message.startsWith(`${option}: `)).toBe(true);
    expect(err.message).not.toMatch(/--/);
    expect(err.message).not.toMatch(/\n/);
  });

  it('the writer names lowWaterMark too', () => {
    const err = thrownRelayError(() => new FrameWriter(new PassThrough(), { highWaterMark: 10, lowWaterMark: 20 }));
    expect(err).toMatchObject({ code: 'USAGE', option: 'lowWaterMark', value: 20 });
  });
});

describe('the CLI edge spells options as flags', () => {
  it('turns a known option into its flag, and leaves other messages alone', () => {
    expect(cliMessage(usageError('must be more than 0 ms, got 0', { option: 'timeoutMs', value: 0 }))).toBe('--timeout: must be more than 0 ms, got 0');
    expect(cliMessage(usageError('x', { option: 'lowWaterMark' }))).toBe('--low-water-mark: x');
    expect(cliMessage(usageError('x', { option: 'resultsDir' }))).toBe('--results: x');
    expect(cliMessage(usageError('must be 0 or more', { option: 'lines.quietMs' }))).toBe('lines.quietMs: must be 0 or more');
    expect(cliMessage(new RelayError('GIT', 'git worktree: fatal'))).toBe('git worktree: fatal');
    expect(cliMessage(new Error('plain'))).toBe('plain');
  });

  it('maps only to flags relay fanout has', () => {
    const flags = new Set(Object.keys(Fanout.flags).map((f) => `--${f}`));
    for (const flag of Object.values(OPTION_FLAGS)) expect(flags, flag).toContain(flag);
  });

  it('prints one line naming the flag for a bad value the engine rejects, exit 2, nothing on stdout', async () => {
    const r = await relayAsync(['fanout', '--high-water-mark', '1MiB', '--low-water-mark', '2MiB', '--task', 'x', '--', 'true']);
    expect(r).toMatchObject({ status: 2, stdout: '', stderr: 'relay: --low-water-mark: must lie between 0 and the high water mark (1048576), got 2097152\n' });
  });

  it('names the flag for the agent options too (--agent, --on-input, --results)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), '');
    const cases: [string[], string][] = [
      [['--agent', 'nope', '--task', 'x'], 'relay: --agent: unknown agent "nope"'],
      [['--on-input', 'maybe', '--task', 'x', '--', 'true'], 'relay: --on-input: expected fail, wait or answer:TEXT, got "maybe"'],
      [['--results', join(dir, 'file'), '--task', 'x', '--', 'true'], `relay: --results: ${join(dir, 'file')}: not a directory`],
    ];
    for (const [args, line] of cases) {
      const r = await relayAsync(['fanout', ...args], { cwd: dir });
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.split('\n')).toHaveLength(2);
      expect(r.stderr.startsWith(line), r.stderr).toBe(true);
    }
  });
});

describe('causes are kept', () => {
  let recorded: string[] | undefined;
  /** The frame lines of one real run (recorded once for these tests). */
  const frameLines = async (): Promise<string[]> => (recorded ??= (await relayAsync(['fanout', '-w', '1', '--', 'true'])).stdout.trimEnd().split('\n'));

  it('a bad line of a shard file is a BAD_FRAME naming file and line, the reader\'s error as cause', async () => {
    const dir = tempDir();
    const file = join(dir, 'shard.ndjson');
    const lines = await frameLines();
    writeFileSync(file, [lines[0], '', lines[1], 'not json', ...lines.slice(2)].join('\n') + '\n');
    const err = await checkShardFile(file).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(FrameReadError);
    // Blank lines count: the bad one is line 4 of the file.
    expect(err).toMatchObject({ code: 'BAD_FRAME', file, line: 4, problem: expect.stringMatching(/^not JSON/) });
    expect((err as Error).message).toBe(`${file} line 4: not JSON: "not json"`);
    const inner = (err as Error).cause as FrameReadError;
    expect(inner).toBeInstanceOf(FrameReadError);
    expect(inner.file).toBeUndefined();
    expect(inner.cause).toBeInstanceOf(SyntaxError);
  });

  it('a frame out of order names its line, not its count', async () => {
    const dir = tempDir();
    const file = join(dir, 'gap.ndjson');
    const lines = await frameLines();
    writeFileSync(file, ['', lines[0], ...lines.slice(2)].join('\n') + '\n');
    await expect(checkShardFile(file)).rejects.toMatchObject({ code: 'BAD_FRAME', line: 3, message: `${file} line 3: seq 3, expected 2 (lines lost or reordered)` });
  });

  it('a git failure is a RelayError (code GIT) with git\'s own error as cause', async () => {
    const repo = tempDir();
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t.invalid', '-c', 'commit.gpgsign=false', '-C', repo, ...args]);
    git('init', '-q');
    git('commit', '-q', '--allow-empty', '-m', 'first');
    const wts = await Worktrees.open(repo, 'run-git-error', { baseDir: join(tempDir(), 'wt') });
    rmSync(join(repo, '.git'), { recursive: true, force: true });
    const err = await wts.create('task').then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(RelayError);
    expect(err).toMatchObject({ code: 'GIT', message: expect.stringMatching(/^git worktree: /) });
    expect((err as Error).cause).toBeInstanceOf(Error);
    expect(exitCodeFor(err as RelayError)).toBe(69);
  });
});
