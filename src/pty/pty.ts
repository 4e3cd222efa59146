// One child process in its own pseudo-terminal, with the three guarantees plain node-pty 1.1
// lacks on Linux:
//  1. No lost tail. When the child's side of the terminal closes, reading the parent side fails
//     with EIO before the kernel has handed over everything the child wrote. We hold our own
//     descriptor on the child's side (its ptsName) so that never happens, and after the child
//     exits we write a random fence through that descriptor: the terminal keeps order, so once
//     the fence comes out of the parent side, every byte the child wrote has been read.
//  2. Pausing is safe across exit. node-pty destroys a terminal 200 ms after its child exits,
//     dropping what a paused reader had not taken yet. We own the descriptor, so a paused
//     terminal keeps its output in the kernel until it is resumed, however long that takes.
//  3. No leaked descriptors. node-pty's forkpty path leaves the parent side of every terminal
//     inheritable (node-pty issue 657), so each child would hold its older siblings' terminals.
//     Children are started through `bash -c 'exec N<&- …; exec …'` closing exactly those.
// We therefore call node-pty's native fork directly instead of its UnixTerminal wrapper, through
// src/pty/native.ts, which checks the node-pty version and the platform first.
// Like a real terminal it also answers the queries the child sends it (src/pty/queries.ts).
import { randomBytes } from 'node:crypto';
import { closeSync, constants as fsConstants, openSync, writeSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { ReadStream } from 'node:tty';
import { existsSync } from 'node:fs';
import { loadNative } from './native.js';
import { TerminalQueries } from './queries.js';
import { unwatchGroup, watchdog, watchGroup } from './watchdog.js';

export interface PtySpawnOptions {
  /** Absolute path of the program (already resolved on PATH). */
  file: string;
  /** Arguments after argv[0]. */
  args: string[];
  /** argv[0] as the program will see it. Default: `file`. */
  argv0?: string;
  env: Record<string, string>;
  cwd: string;
  cols: number;
  rows: number;
}

export interface PtyExit {
  /** Exit status, or null when killed by a signal. */
  exitCode: number | null;
  /** Signal name (e.g. "SIGTERM") when killed by one, else null. */
  signal: string | null;
}

/** What the engine needs from a running terminal; injectable so the scheduler can be tested with fakes. */
export interface PtyProcess {
  readonly pid: number;
  /** Output chunks, in order. Not called while paused. */
  onData: (chunk: Buffer) => void;
  /** Called when the child process has exited; its last output may still be in the terminal. */
  onExit: (exit: PtyExit) => void;
  /** Called once, after the child exited and its last byte went through onData. */
  onEnd: (exit: PtyExit) => void;
  pause(): void;
  resume(): void;
  /** Type into the terminal, as if on its keyboard. Never blocks; ignored once it has ended. */
  write(data: string | Buffer): void;
  /** Signal the child's whole process group (it leads its own session). */
  kill(signal: NodeJS.Signals): void;
  /** Ignored once the child has exited (node-pty would throw). */
  resize(cols: number, rows: number): void;
  /** Give up on unread output: end now with what was delivered. Used after the stop grace period. */
  forceClose(): void;
}

export type PtySpawner = (options: PtySpawnOptions) => PtyProcess;

const SIGNAL_NAMES = new Map<number, string>(Object.entries(osConstants.signals).map(([name, num]) => [num, name]));

/** Parent-side descriptors of the terminals that are open now; later children must not inherit them. */
const openMasters = new Set<number>();
const BASH = ['/bin/bash', '/usr/bin/bash'].find((p) => process.platform === 'linux' && existsSync(p));

export const spawnPty: PtySpawner = (options) => new NodePtyProcess(options);

class NodePtyProcess implements PtyProcess {
  readonly pid: number;
  onData: (chunk: Buffer) => void = () => {};
  onExit: (exit: PtyExit) => void = () => {};
  onEnd: (exit: PtyExit) => void = () => {};

  private readonly fd: number;
  private readonly socket: ReadStream;
  private slaveFd: number | undefined;
  private exit: PtyExit | undefined;
  private ended = false;
  private paused = false;
  private socketClosed = false;
  // The fence: written after exit, searched for once written.
  private readonly fence = Buffer.from(`RELAYFENCE${randomBytes(12).toString('hex').toUpperCase()}`);
  private fenceWritten = 0;
  private carry: Buffer | undefined;
  private readonly queries: TerminalQueries;

  constructor(options: PtySpawnOptions) {
    const { module: pty, dir } = loadNative();
    const argv0 = options.argv0 ?? options.file;
    const [file, args] = this.launcher(options.file, argv0, options.args);
    const env = Object.entries(options.env).map(([k, v]) => `${k}=${v}`);
    watchdog(); // before the fork, so it holds no terminal
    const term = pty.fork(file, args, env, options.cwd, options.cols, options.rows, -1, -1, true, `${dir}/spawn-helper`, (code, signal) =>
      this.handleExit(code, signal),
    );
    this.pid = term.pid;
    this.fd = term.fd;
    this.queries = new TerminalQueries(options.cols, options.rows);
    // Its group dies with relay, however relay dies (src/pty/watchdog.ts).
    watchGroup(this.pid);
    openMasters.add(this.fd);
    try {
      // O_NONBLOCK: the fence write must never block the event loop on a full terminal.
      this.slaveFd = openSync(term.pty, fsConstants.O_RDWR | fsConstants.O_NOCTTY | fsConstants.O_NONBLOCK);
    } catch {
      this.slaveFd = undefined; // fall back to node-pty's behaviour: end on EIO
    }
    this.socket = new ReadStream(this.fd);
    this.socket.on('data', (chunk: Buffer) => this.handleData(chunk));
    // EIO is how Linux reports "the child's side closed": the normal end without a held slave.
    this.socket.on('error', () => {});
    this.socket.on('close', () => {
      this.socketClosed = true;
      openMasters.delete(this.fd);
      this.maybeFinish();
    });
  }

  pause(): void {
    if (this.ended || this.paused) return;
    this.paused = true;
    this.socket.pause();
  }

  resume(): void {
    if (this.ended || !this.paused) return;
    this.paused = false;
    this.socket.resume();
  }

  write(data: string | Buffer): void {
    if (this.ended || this.exit) return;
    // The parent side is a non-blocking tty handle: libuv queues what the terminal cannot take
    // yet, so the event loop never waits on a child that does not read its input.
    this.socket.write(data);
  }

  kill(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // ESRCH: no such group. Right after fork the child may not have called setsid() yet,
      // so signal the child itself; if it is gone too, there is nothing left to stop.
      try {
        process.kill(this.pid, signal);
      } catch {
        // already gone
      }
    }
  }

  resize(cols: number, rows: number): void {
    if (this.exit || this.ended) return;
    try {
      loadNative().module.resize(this.fd, cols, rows);
      this.queries.resize(cols, rows);
    } catch {
      // The child may exit between the check and the call.
    }
  }

  forceClose(): void {
    if (this.ended) return;
    this.kill('SIGKILL');
    this.finish(this.exit ?? { exitCode: null, signal: 'SIGKILL' });
  }

  /** With bash at hand on Linux, close the other terminals' parent sides before exec. */
  private launcher(file: string, argv0: string, args: string[]): [string, string[]] {
    if (!BASH || openMasters.size === 0) return [file, args];
    const closes = [...openMasters].map((fd) => `${fd}<&-`).join(' ');
    return [BASH, ['-c', `exec ${closes}; exec -a "$0" "$@"`, argv0, file, ...args]];
  }

  private handleExit(code: number, signal: number): void {
    this.exit = signal ? { exitCode: null, signal: SIGNAL_NAMES.get(signal) ?? `SIG${signal}` } : { exitCode: code, signal: null };
    this.onExit(this.exit);
    if (this.slaveFd === undefined) {
      this.maybeFinish();
      return;
    }
    this.writeFence();
  }

  private writeFence(): void {
    if (this.slaveFd === undefined || this.fenceWritten >= this.fence.length) return;
    try {
      this.fenceWritten += writeSync(this.slaveFd, this.fence, this.fenceWritten);
    } catch (err) {
      // EAGAIN: the terminal is full because we are paused or behind; retried after the next read.
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') this.finish(this.exit!);
    }
  }

  private handleData(chunk: Buffer): void {
    if (this.ended) return;
    if (this.fenceWritten === 0) {
      this.deliver(chunk);
      if (this.exit) this.writeFence();
      return;
    }
    // The fence is (partly) on its way: search for it, holding back a possible partial match.
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    const at = buf.indexOf(this.fence);
    if (at >= 0) {
      if (at > 0) this.deliver(buf.subarray(0, at));
      this.carry = undefined;
      this.finish(this.exit!);
      return;
    }
    const keep = Math.min(buf.length, this.fence.length - 1);
    if (buf.length > keep) this.deliver(buf.subarray(0, buf.length - keep));
    this.carry = buf.subarray(buf.length - keep);
    this.writeFence();
  }

  /** Output for the reader; a query in it is answered through the keyboard side, as a terminal does. */
  private deliver(chunk: Buffer): void {
    const reply = this.queries.feed(chunk);
    if (reply) this.write(reply);
    this.onData(chunk);
  }

  private maybeFinish(): void {
    // Without a held slave (fallback), the end is: child exited and the terminal reported EIO.
    if (this.slaveFd === undefined && this.exit && this.socketClosed) this.finish(this.exit);
  }

  private finish(exit: PtyExit): void {
    if (this.ended) return;
    this.ended = true;
    if (this.slaveFd !== undefined) {
      try {
        closeSync(this.slaveFd);
      } catch {
        // already closed
      }
      this.slaveFd = undefined;
    }
    openMasters.delete(this.fd);
    this.socket.destroy();
    this.onEnd(exit);
    // onEnd has killed what was left of its group: nothing there for the watchdog any more.
    unwatchGroup(this.pid);
  }
}
