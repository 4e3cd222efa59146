import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
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

/** Runs the built CLI to completion with stdout and stderr as pipes (not terminals). */
export function relaySync(args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; timeout?: number; cwd?: string } = {}): Ran {
  const r = spawnSync(process.execPath, [RELAY, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    input: options.input ?? '',
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    timeout: options.timeout ?? 60_000,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** A shell pipeline, for `| jq` and `| head` as users write them. */
export function shell(script: string, options: { env?: NodeJS.ProcessEnv; timeout?: number } = {}): Ran {
  const r = spawnSync('bash', ['-c', `set -o pipefail; relay() { "${process.execPath}" "${RELAY}" "$@"; }; ${script}`], {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    timeout: options.timeout ?? 60_000,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
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
  const child = spawn(process.execPath, [RELAY, ...args], { cwd: ROOT, ...options, env: { ...process.env, ...options.env } });
  try {
    onTestFinished(() => reap(child));
  } catch {
    // started outside a test: global-setup's check reports it if it outlives the run
  }
  return child;
}

/**
 * relaySync's asynchronous twin, for long runs: a test worker blocked in spawnSync for a minute
 * cannot answer vitest's own messages, and vitest then fails the whole run.
 */
export async function relayAsync(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Ran> {
  const child = spawnRelay(args, { env: options.env ?? {}, cwd: options.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const [{ code, signal }] = await Promise.all([exited(child), once(child.stdout!, 'end'), once(child.stderr!, 'end')]);
  return { status: code, signal, stdout, stderr };
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
  return lines.map((line, i) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`stdout line ${i + 1} is not JSON: ${line.slice(0, 200)}`);
    }
    return checkFrame(value, i + 1);
  });
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
