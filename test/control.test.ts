// relay ls / attach / send end to end: real runs, real pseudo-terminals for the attaching person
// (node-pty), real Unix sockets in a private directory of the test's own.
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import pty from 'node-pty';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Frame, Operator } from '../src/frames/types.js';
import { exited, expectUsageError, parseFrames, RELAY, ROOT, relayAsync, spawnRelay, waitForOutput } from './helpers/cli.js';
import { tmp } from './helpers/temp.js';

let runtime: string;
let env: NodeJS.ProcessEnv;
const children: ChildProcess[] = [];
const terminals: pty.IPty[] = [];

beforeEach(() => {
  runtime = tmp('relay-control-');
  env = { XDG_RUNTIME_DIR: runtime };
});

afterEach(() => {
  for (const t of terminals.splice(0)) t.kill('SIGKILL');
  for (const c of children.splice(0)) c.kill('SIGKILL');
  rmSync(runtime, { recursive: true, force: true });
});

/** A run whose workers wait at bash `read` prompts; resolves once every worker has printed `ready`. */
async function startRun(workers: number, script: string, ready: RegExp) {
  const child = spawnRelay(['fanout', '-w', String(workers), '--progress', 'plain', '--', 'bash', '-c', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.resume();
  await waitForOutput(child.stdout!, ready);
  return { child, frames: async (): Promise<{ code: number | null; frames: Frame[] }> => ({ code: (await exited(child)).code, frames: parseFrames(stdout) }) };
}

/** `relay attach ARGS` in its own pseudo-terminal, as a person would run it. */
function attachPty(args: string[]) {
  const term = pty.spawn(process.execPath, [RELAY, 'attach', ...args], { cols: 100, rows: 30, cwd: ROOT, env: { ...process.env, ...env } as Record<string, string> });
  terminals.push(term);
  let seen = '';
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = [];
  term.onData((d) => {
    seen += d;
    for (const w of waiters.filter((w) => w.pattern.test(seen))) waiters.splice(waiters.indexOf(w), 1), w.resolve();
  });
  const exit = new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
  return {
    write: (data: string) => term.write(data),
    /** Resolves once the terminal has shown text matching `pattern` (since it started). */
    until: (pattern: RegExp) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(seen)) return resolve();
        waiters.push({ pattern, resolve });
        void exit.then(() => reject(new Error(`attach exited before ${pattern}: ${seen.slice(-400)}`)));
      }),
    exit,
    seen: () => seen,
  };
}

function operators(frames: Frame[]): Operator[] {
  return frames.filter((f): f is Operator => f.type === 'operator');
}

const me = userInfo().username;
const NAME_THEN_AGAIN = 'read -p "name? " x; echo "got $x"; read -p "again? " y; echo "bye $y"';

// Several relay processes per test on a shared 2-core machine: give each test room.
describe('relay attach', { timeout: 180_000 }, () => {
  it('shows the waiting screen to two watchers; one drives, answers and detaches; relay send finishes it', async () => {
    const run = await startRun(1, NAME_THEN_AGAIN, /name\?/);
    const a = attachPty(['w1']);
    const b = attachPty(['1']);
    await Promise.all([a.until(/name\?/), b.until(/name\?/)]); // the current screen, not a log: the prompt is all there is
    a.write('d');
    await a.until(/you have w1's keyboard/);
    b.write('d'); // one driver at a time
    await b.until(new RegExp(`${me} is driving w1`));
    a.write('alice\r');
    await Promise.all([a.until(/got alice\s+again\?/), b.until(/got alice\s+again\?/)]);
    a.write('\x1dq');
    expect(await a.exit).toBe(0);
    expect(a.seen()).toMatch(/detached; the worker goes on/);

    // Detaching left the run alone: the worker still waits, b still watches.
    const ls = await relayAsync(['ls', '--json'], { env });
    expect(ls.status).toBe(0);
    const [info] = JSON.parse(ls.stdout) as Array<{ slots: Array<{ state: string; watchers: number; driver: string | null; last_line: string }> }>;
    expect(info!.slots[0]).toMatchObject({ watchers: 1, driver: null, last_line: 'again?' });
    expect(['running', 'waiting_input']).toContain(info!.slots[0]!.state);

    expect((await relayAsync(['send', 'w1', 'bob'], { env })).status).toBe(0);
    await b.until(/bye bob[\s\S]*w1 ended \(exit 0\)/);
    expect(await b.exit).toBe(0);

    const { code, frames } = await run.frames();
    expect(code).toBe(0);
    const ops = operators(frames);
    expect(ops.every((f) => f.user === me && f.worker === 'w1')).toBe(true);
    const actions = ops.map((f) => f.action).filter((x, i, all) => x !== 'input' || all[i - 1] !== 'input');
    expect(actions).toEqual(['attach', 'attach', 'drive', 'input', 'release', 'detach', 'send']);
    expect(ops.filter((f) => f.action === 'input').reduce((n, f) => n + f.bytes!, 0)).toBe('alice\r'.length);
    expect(ops.find((f) => f.action === 'send')).toMatchObject({ text: 'bob\r', bytes: 4 });
    const exitedAt = frames.findIndex((f) => f.type === 'worker_exited');
    expect(frames.findLastIndex((f) => f.type === 'operator')).toBeLessThan(exitedAt);
  });

  it('Ctrl-C detaches a watcher and leaves the run alone; while driving it reaches the worker', async () => {
    const run = await startRun(2, 'read -p "name? " x; echo "got $x"', /name\?[\s\S]*name\?/);
    const watcher = attachPty(['w2']);
    await watcher.until(/name\?/);
    watcher.write('\x03');
    expect(await watcher.exit).toBe(0);

    const driver = attachPty(['--drive', 'w1']);
    await driver.until(/you have w1's keyboard/);
    driver.write('\x03');
    await driver.until(/w1 ended \(signal/);
    expect(await driver.exit).toBe(0);

    expect((await relayAsync(['send', 'w2', 'carol'], { env })).status).toBe(0);
    const { frames } = await run.frames();
    const exits = frames.filter((f) => f.type === 'worker_exited');
    expect(exits.find((f) => f.worker === 'w1')).toMatchObject({ reason: 'signal', signal: 'SIGINT' });
    expect(exits.find((f) => f.worker === 'w2')).toMatchObject({ reason: 'exit', exit_code: 0 });
    expect(frames.at(-1)).toMatchObject({ type: 'run_finished', reason: 'completed' });
  });
});

describe('relay ls and relay send', { timeout: 180_000 }, () => {
  it('lists several runs, asks for --run, and cleans up the socket of a killed run', async () => {
    const first = await startRun(1, 'read -p "one? " x; echo "got $x"', /one\?/);
    const second = await startRun(1, 'read -p "two? " x; echo "got $x"', /two\?/);
    const runs = JSON.parse((await relayAsync(['ls', '--json'], { env })).stdout) as Array<{ run_id: string; pid: number }>;
    expect(runs.map((r) => r.pid).sort()).toEqual([first.child.pid, second.child.pid].sort());

    const ambiguous = await relayAsync(['send', 'w1', 'x'], { env });
    expectUsageError(ambiguous, /2 live runs; pick one with --run ID: /);
    for (const r of runs) expect(ambiguous.stderr).toContain(r.run_id.slice(0, 8));

    const dir = join(runtime, 'relay');
    const killed = runs.find((r) => r.pid === first.child.pid)!;
    first.child.kill('SIGKILL');
    await exited(first.child);
    expect(existsSync(join(dir, `${killed.run_id}.sock`))).toBe(true); // SIGKILL left it behind

    const ls = await relayAsync(['ls'], { env });
    expect(ls.status).toBe(0);
    expect(ls.stdout).not.toContain(killed.run_id.slice(0, 8));
    expect(ls.stdout).toMatch(/WORKER\s+TASK\s+STATE[\s\S]*w1\s+1\s+\S+.*two\?/);
    expect(readdirSync(dir)).toEqual([`${runs.find((r) => r.pid === second.child.pid)!.run_id}.sock`]);

    const other = runs.find((r) => r.pid === second.child.pid)!;
    expect((await relayAsync(['send', '--run', other.run_id.slice(0, 6), 'w1', 'dave'], { env })).status).toBe(0);
    const { code, frames } = await second.frames();
    expect(code).toBe(0);
    expect(frames.some((f) => f.type === 'worker_stream' && f.data.includes('got dave'))).toBe(true);
    expect(readdirSync(dir)).toEqual([]); // a run that ends removes its socket
  });

  it('refuses bad targets and says when no run is alive', async () => {
    expect(await relayAsync(['ls'], { env })).toMatchObject({ status: 0, stdout: '' });
    expectUsageError(await relayAsync(['send', 'w1', 'x'], { env }), /no live relay run of yours/);
    const run = await startRun(1, 'read -p "name? " x; echo "got $x"', /name\?/);
    expectUsageError(await relayAsync(['send', 'w7', 'x'], { env }), /no worker or running task "w7"; running: w1 \(task 1\)/);
    expectUsageError(await relayAsync(['attach', 'nope'], { env }), /no worker or running task "nope"/);
    expect((await relayAsync(['send', '--no-enter', '1', 'ab'], { env })).status).toBe(0);
    expect((await relayAsync(['send', '1', 'c'], { env })).status).toBe(0);
    const { frames } = await run.frames();
    expect(frames.some((f) => f.type === 'worker_stream' && f.data.includes('got abc'))).toBe(true);
  });

  it('refuses a control directory that is not private: open to others, or a symbolic link', async () => {
    const dir = join(runtime, 'relay');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    expectUsageError(await relayAsync(['ls'], { env }), /control directory .*relay has mode 0755, open to others; refusing/);
    const fan = await relayAsync(['fanout', '-w', '1', '--progress', 'plain', '--', 'true'], { env });
    expect(fan.status).toBe(0);
    expect(fan.stderr).toMatch(/^relay: no control socket .*has mode 0755/m);
    expect(readdirSync(dir)).toEqual([]);

    rmSync(dir, { recursive: true });
    const real = tmp('relay-real-');
    try {
      symlinkSync(real, dir);
      expectUsageError(await relayAsync(['ls'], { env }), /is a symbolic link; refusing/);
    } finally {
      rmSync(real, { recursive: true, force: true });
    }
  });
});
