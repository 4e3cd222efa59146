import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, onTestFinished } from 'vitest';
import { validateFrame } from '../../src/frames/read.js';
import { FrameSchemas, type Frame } from '../../src/frames/types.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const RELAY = fileURLToPath(new URL('../../bin/run.js', import.meta.url));

export interface Ran {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Written to the command's stdin, which is then closed (default: nothing). */
  input?: string;
  /** Milliseconds until the command gets SIGTERM, as spawnSync's `timeout` (default 60 s). */
  timeout?: number;
  cwd?: string;
}

/**
 * Runs `command` to completion, like spawnSync but without blocking: vitest's runner goes from one
 * test to the next without turning the event loop, so spawnSync calls add up across a file's tests,
 * and a worker that cannot read vitest's replies for 60 s fails the run ("Timeout calling onTaskUpdate").
 */
export async function runBytes(command: string, args: string[], options: RunOptions = {}): Promise<Omit<Ran, 'stdout' | 'stderr'> & { stdout: Buffer; stderr: Buffer }> {
  const child = spawnReaped(command, args, { cwd: options.cwd ?? ROOT, env: options.env ?? {}, stdio: 'pipe' });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout!.on('data', (d: Buffer) => stdout.push(d));
  child.stderr!.on('data', (d: Buffer) => stderr.push(d));
  child.stdin!.on('error', () => {}); // EPIPE: the command exited without reading its input
  child.stdin!.end(options.input ?? '');
  const timer = setTimeout(() => child.kill('SIGTERM'), options.timeout ?? 60_000);
  try {
    const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
    return { status: code, signal, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) };
  } finally {
    clearTimeout(timer);
  }
}

/** runBytes with stdout and stderr as text. */
export async function run(command: string, args: string[], options: RunOptions = {}): Promise<Ran> {
  const r = await runBytes(command, args, options);
  return { ...r, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

/** Runs the built CLI to completion with stdout and stderr as pipes (not terminals). */
export function relayAsync(args: string[], options: RunOptions = {}): Promise<Ran> {
  return run(process.execPath, [RELAY, ...args], options);
}

/** A shell pipeline, for `| jq` and `| head` as users write them. */
export function shell(script: string, options: Omit<RunOptions, 'input' | 'cwd'> = {}): Promise<Ran> {
  return run('bash', ['-c', `set -o pipefail; relay() { "${process.execPath}" "${RELAY}" "$@"; }; ${script}`], options);
}

/** The usage-error contract: exit 2, nothing on stdout, one line `relay: …` on stderr matching `pattern`. */
export function expectUsageError(r: Ran, pattern: RegExp): void {
  expect(r.status, String(pattern)).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^relay: /);
  expect(lines[0]).toMatch(pattern);
}

/**
 * Starts the built CLI; when the test ends (passed or not) with it still running, it gets SIGTERM
 * (it stops its workers), SIGKILL if it has not exited 5 s later, and is awaited: no test leaves one behind.
 */
export function spawnRelay(args: string[], options: SpawnOptions = {}): ChildProcess {
  return spawnReaped(process.execPath, [RELAY, ...args], options);
}

function spawnReaped(command: string, args: string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, { cwd: ROOT, ...options, env: { ...process.env, ...options.env } });
  try {
    onTestFinished(() => reap(child));
  } catch {
    // started outside a test: global-setup's check reports it if it outlives the run
  }
  return child;
}

async function reap(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const end = exited(child);
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), 5000)));
  if ((await Promise.race([end, late])) === 'late') child.kill('SIGKILL');
  clearTimeout(timer);
  await end;
}

/** Fields each frame type declares in its schema. */
const DECLARED = new Map(FrameSchemas.map((schema) => [schema.$id!, new Set(Object.keys(schema.properties))]));

/**
 * Checks a frame relay produced against the frame schema (what `relay schema` prints), and more
 * strictly than readers must: no unknown type and no field the schema does not declare, so a
 * field added to the engine but not to src/frames/types.ts fails the suite.
 */
export function checkFrame(value: unknown, line = 1): Frame {
  const frame = validateFrame(value, line, { unknownTypes: 'error' })!;
  const extra = Object.keys(frame).filter((k) => !DECLARED.get(frame.type)!.has(k));
  if (extra.length > 0) throw new Error(`line ${line}: ${frame.type} has fields its schema does not declare: ${extra.join(', ')}`);
  return frame;
}

/** Parses NDJSON strictly: every line must be one JSON object, and a valid frame (see checkFrame). */
export function parseFrames(text: string): Frame[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line, i) => parseLine(line, i + 1));
}

/** parseFrames for a file, read as a stream: hundreds of MB parsed at once would hold the event loop for seconds. */
export async function readFrames(file: string): Promise<Frame[]> {
  const frames: Frame[] = [];
  let rest = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8' })) {
    const lines = (rest + (chunk as string)).split('\n');
    rest = lines.pop()!;
    for (const line of lines) frames.push(parseLine(line, frames.length + 1));
  }
  if (rest !== '') frames.push(parseLine(rest, frames.length + 1));
  return frames;
}

function parseLine(line: string, number: number): Frame {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error(`stdout line ${number} is not JSON: ${line.slice(0, 200)}`);
  }
  return checkFrame(value, number);
}

export async function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode };
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return { code, signal };
}

/** Resolves when `child`'s stream has produced text matching `pattern`; rejects if it closes first. */
export function waitForOutput(stream: NodeJS.ReadableStream, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (d: Buffer): void => {
      seen += d.toString();
      if (pattern.test(seen)) {
        stream.off('data', onData);
        resolve(seen);
      }
    };
    stream.on('data', onData);
    stream.once('end', () => reject(new Error(`stream ended before ${pattern}: ${seen.slice(-500)}`)));
  });
}
