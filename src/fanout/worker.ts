import { StringDecoder } from 'node:string_decoder';
import type { FrameBody, WorkerReason } from '../frames/types.js';
import type { PtyExit, PtyProcess, PtySpawner } from '../workers/pty.js';
import { resolveCommand } from '../workers/resolve.js';
import type { WorkerState, WorkerStatus } from './status.js';

const TAIL_CHARS = 512;

export interface WorkerSpec {
  index: number;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  cols: number;
  rows: number;
}

export interface WorkerHooks {
  emit(body: FrameBody): void;
  now(): number;
  /** The worker has ended and its worker_exited frame was emitted. */
  ended(worker: Worker): void;
}

/** One worker: starts its command in a terminal, turns output into frames, and reports its end. */
export class Worker implements WorkerStatus {
  readonly id: string;
  readonly index: number;
  readonly argv: readonly string[];
  state: WorkerState = 'pending';
  pid: number | null = null;
  startedAt: number | null = null;
  endedAt: number | null = null;
  bytes = 0;
  tail = '';
  exitCode: number | null = null;
  signal: string | null = null;
  reason: WorkerReason | null = null;
  error: string | null = null;

  private pty: PtyProcess | undefined;
  private readonly decoder = new StringDecoder('utf8');
  /** Set when relay asked it to stop, so its end counts as cancelled, not as its own failure. */
  private cancelled = false;

  constructor(
    private readonly spec: WorkerSpec,
    private readonly hooks: WorkerHooks,
  ) {
    this.id = `w${spec.index}`;
    this.index = spec.index;
    this.argv = spec.argv;
  }

  get running(): boolean {
    return this.state === 'running' || this.state === 'stopping';
  }

  start(spawn: PtySpawner): void {
    this.startedAt = this.hooks.now();
    const resolved = resolveCommand(this.spec.argv[0] ?? '', this.spec.env, this.spec.cwd);
    if (!resolved.ok) return this.failToStart(resolved.exitCode, resolved.error);
    try {
      this.pty = spawn({
        file: resolved.file,
        argv0: this.spec.argv[0],
        args: this.spec.argv.slice(1),
        env: this.spec.env,
        cwd: this.spec.cwd,
        cols: this.spec.cols,
        rows: this.spec.rows,
      });
    } catch (err) {
      return this.failToStart(126, `${this.spec.argv[0]}: ${(err as Error).message}`);
    }
    this.pid = this.pty.pid;
    this.state = 'running';
    this.hooks.emit({ type: 'worker_started', worker: this.id, index: this.index, pid: this.pid, argv: [...this.argv] });
    this.pty.onData = (chunk) => this.handleData(chunk);
    this.pty.onEnd = (exit) => this.handleEnd(exit);
  }

  /** Never started: the run was stopped first. Emits both frames so every worker is accounted for. */
  cancelBeforeStart(): void {
    this.startedAt = this.hooks.now();
    this.hooks.emit({ type: 'worker_started', worker: this.id, index: this.index, pid: null, argv: [...this.argv] });
    this.finish({ exitCode: null, signal: null }, 'cancelled');
  }

  pause(): void {
    this.pty?.pause();
  }

  resume(): void {
    this.pty?.resume();
  }

  /** Ask it to stop (signal to its whole process group); its end is reported as cancelled. */
  stop(signal: NodeJS.Signals): void {
    if (!this.running || !this.pty) return;
    this.cancelled = true;
    this.state = 'stopping';
    this.pty.kill(signal);
  }

  /** Give up waiting for its last output (after the stop grace period). */
  forceClose(): void {
    if (!this.running || !this.pty) return;
    this.cancelled = true;
    this.pty.forceClose();
  }

  /** Signal what is left of its process group after its leader exited (no orphans). */
  reapGroup(): void {
    this.pty?.kill('SIGKILL');
  }

  private handleData(chunk: Buffer): void {
    this.bytes += chunk.length;
    const text = this.decoder.write(chunk);
    if (text.length > 0) this.emitText(text);
  }

  private emitText(text: string): void {
    this.tail = text.length >= TAIL_CHARS ? text.slice(-TAIL_CHARS) : (this.tail + text).slice(-TAIL_CHARS);
    this.hooks.emit({ type: 'worker_stream', worker: this.id, data: text });
  }

  private handleEnd(exit: PtyExit): void {
    const rest = this.decoder.end();
    if (rest.length > 0) this.emitText(rest);
    const reason: WorkerReason = this.cancelled ? 'cancelled' : exit.signal ? 'signal' : 'exit';
    this.finish(exit, reason);
    // The leader is gone; anything it left running in its session would be an orphan.
    this.reapGroup();
  }

  private failToStart(exitCode: 126 | 127, error: string): void {
    this.error = error;
    this.hooks.emit({ type: 'worker_started', worker: this.id, index: this.index, pid: null, argv: [...this.argv] });
    this.finish({ exitCode, signal: null }, 'spawn_error');
  }

  private finish(exit: PtyExit, reason: WorkerReason): void {
    this.state = 'exited';
    this.endedAt = this.hooks.now();
    this.exitCode = exit.exitCode;
    this.signal = exit.signal;
    this.reason = reason;
    this.hooks.emit({
      type: 'worker_exited',
      worker: this.id,
      index: this.index,
      exit_code: exit.exitCode,
      signal: exit.signal,
      reason,
      duration_ms: Math.max(0, this.endedAt - (this.startedAt ?? this.endedAt)),
      bytes: this.bytes,
      ...(this.error ? { error: this.error } : {}),
    });
    this.hooks.ended(this);
  }
}
