import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Frame } from '../../src/frames/types.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const RELAY = fileURLToPath(new URL('../../bin/run.js', import.meta.url));

export interface Ran {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI to completion with stdout and stderr as pipes (not terminals). */
export function relaySync(args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; timeout?: number } = {}): Ran {
  const r = spawnSync(process.execPath, [RELAY, ...args], {
    cwd: ROOT,
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

export function spawnRelay(args: string[], options: SpawnOptions = {}): ChildProcess {
  return spawn(process.execPath, [RELAY, ...args], { cwd: ROOT, ...options, env: { ...process.env, ...options.env } });
}

/** Parses NDJSON strictly: every line must be one JSON object. */
export function parseFrames(text: string): Frame[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line, i) => {
    try {
      return JSON.parse(line) as Frame;
    } catch {
      throw new Error(`stdout line ${i + 1} is not JSON: ${line.slice(0, 200)}`);
    }
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
