import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnPty, type PtyExit, type PtyProcess, type PtySpawnOptions } from '../src/pty/pty.js';
import { tmp } from './helpers/temp.js';

const base = { env: { ...process.env, TERM: 'xterm-256color' } as Record<string, string>, cwd: process.cwd(), cols: 80, rows: 24 };

function run(options: Partial<PtySpawnOptions> & { file: string; args: string[] }): { pty: PtyProcess; output: Promise<{ data: Buffer; exit: PtyExit }> } {
  const pty = spawnPty({ ...base, ...options });
  const chunks: Buffer[] = [];
  const output = new Promise<{ data: Buffer; exit: PtyExit }>((resolve) => {
    pty.onData = (chunk) => chunks.push(Buffer.from(chunk));
    pty.onEnd = (exit) => resolve({ data: Buffer.concat(chunks), exit });
  });
  return { pty, output };
}

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
/** The terminal turns "\n" into "\r\n" (ONLCR); undo it to compare with what the child wrote. */
const fromTerminal = (b: Buffer): Buffer => Buffer.from(b.toString('latin1').replaceAll('\r\n', '\n'), 'latin1');

describe('pty worker', () => {
  it('delivers every byte of a child that writes 200 kB and exits at once, across 150 runs', async () => {
    const dir = tmp('relay-pty-');
    const file = join(dir, 'payload.txt');
    const lines = Array.from({ length: 2500 }, (_, i) => `line ${i} ${'abcdefghij'.repeat(7)}`);
    const payload = `${lines.join('\n')}\nEND-OF-PAYLOAD\n`;
    writeFileSync(file, payload);
    const expected = sha(payload);
    let lost = 0;
    for (let round = 0; round < 15; round++) {
      const runs = Array.from({ length: 10 }, () => run({ file: '/bin/cat', args: [file] }).output);
      for (const { data, exit } of await Promise.all(runs)) {
        expect(exit).toEqual({ exitCode: 0, signal: null });
        if (sha(fromTerminal(data)) !== expected) lost += 1;
      }
    }
    expect(lost).toBe(0);
  });

  it('keeps a paused terminal\'s output when its child exits meanwhile, and delivers it on resume', async () => {
    const rows = ['-c', 'i=0; while [ $i -lt 3000 ]; do echo "row $i"; i=$((i+1)); done; echo DONE'];
    const { pty, output } = run({ file: '/bin/sh', args: rows });
    pty.pause();
    // The child fills the terminal and blocks until our resume. The same child in a terminal that
    // is read ends meanwhile: by then the paused one would have ended too, if pausing did not hold it.
    let pausedEnded = false;
    void output.then(() => (pausedEnded = true));
    await run({ file: '/bin/sh', args: rows }).output;
    expect(pausedEnded).toBe(false);
    pty.resume();
    const { data, exit } = await output;
    expect(exit.exitCode).toBe(0);
    const text = fromTerminal(data).toString();
    expect(text.split('\n').filter((l) => l.startsWith('row ')).length).toBe(3000);
    expect(text.trimEnd().endsWith('DONE')).toBe(true);
  });

  it('holds output in the kernel while paused across the child\'s exit (small output, exit while paused)', async () => {
    const { pty, output } = run({ file: '/bin/sh', args: ['-c', 'echo tail-before-exit'] });
    pty.pause();
    await new Promise<void>((resolve) => (pty.onExit = () => resolve()));
    await new Promise((r) => setTimeout(r, 300)); // past node-pty's 200 ms destroy timer
    pty.resume();
    const { data } = await output;
    expect(data.toString()).toContain('tail-before-exit');
  });

  it('does not leak earlier terminals into later children (their fds are 0, 1, 2 only)', async () => {
    const first = run({ file: '/bin/sleep', args: ['5'] });
    const second = run({ file: '/bin/sleep', args: ['5'] });
    const third = run({ file: '/bin/ls', args: ['-l', '/proc/self/fd'] });
    const { data } = await third.output;
    first.pty.kill('SIGKILL');
    second.pty.kill('SIGKILL');
    await Promise.all([first.output, second.output]);
    const ptmx = data.toString().split('\n').filter((l) => l.includes('ptmx'));
    expect(ptmx).toEqual([]);
  });

  it('reports a signal death by name and ignores resize after exit', async () => {
    const { pty, output } = run({ file: '/bin/sleep', args: ['30'] });
    pty.kill('SIGTERM');
    const { exit } = await output;
    expect(exit).toEqual({ exitCode: null, signal: 'SIGTERM' });
    expect(() => pty.resize(100, 30)).not.toThrow();
  });
});
