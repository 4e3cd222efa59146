import { statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { FrameBody, WorkerExited, WorkerReason } from '../frames/types.js';
import type { PtyExit, PtyProcess, PtySpawner } from '../pty/pty.js';
import { resolveCommand } from '../pty/resolve.js';
import { whatRanOut } from '../pty/exhausted.js';
import type { Job } from './jobs.js';
import { succeeded } from './outcomes.js';
import type { WorkerState } from './status.js';
import type { Timers } from '../timers.js';

const TAIL_CHARS = 512;
/** How long after SIGKILL a worker's last output may still take before we stop waiting for it. */
const DRAIN_AFTER_KILL_MS = 1000;

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Why relay stopped an attempt; its worker_exited reason. */
export type StopReason = Extract<WorkerReason, 'cancelled' | 'timeout' | 'idle' | 'awaiting_input' | 'budget'>;

/**
 * Fields an extension adds to worker_exited; reason: the agent's verdict (agent_error) replacing a
 * plain exit. rateLimit: the attempt failed on a rate or usage limit (resetsAt: when it resets, ms
 * since the epoch, when known): the run retries it without spending --retries and pauses launches.
 */
export type ExitExtras = Partial<Pick<WorkerExited, 'agent' | 'worktree' | 'error'>> & { reason?: 'agent_error'; rateLimit?: { resetsAt?: number } };

/**
 * Extra steps around an attempt (agent-aware runs: src/agents/attempt.ts, through src/fanout/extension.ts). The attempt holds its
 * slot from prepare() until end() has settled, so the slot is never free before worker_exited.
 */
export interface AttemptExtension {
  /** Before it spawns: the spec to run (e.g. with its worktree as cwd). A rejection is its spawn_error. */
  prepare(spec: AttemptSpec): Promise<AttemptSpec>;
  /** A chunk of its output, right after the worker_stream frame that carried it. */
  text(text: string): void;
  /** It printed nothing for --idle-timeout; true when --on-input took the matter over. */
  idle(tail: string): boolean;
  /** Its output ended (or it never started): extra worker_exited fields. Never rejects. */
  end(worker: Attempt): Promise<ExitExtras>;
}

export interface AttemptSpec {
  /** Slot number: the worker id is `w<index>`. */
  index: number;
  job: Job;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  cols: number;
  rows: number;
}

export interface AttemptHooks {
  emit(body: FrameBody): void;
  now(): number;
  timers: Timers;
  /** The attempt has ended and its worker_exited frame was emitted. */
  ended(worker: Attempt): void;
  /**
   * Its process has exited: reason, exitCode and signal are final, though its last output may
   * still wait in a paused terminal (a stalled reader). Policies decide here, not at ended().
   */
  exited?(worker: Attempt): void;
  extension?: AttemptExtension;
}

/**
 * One attempt of one task on one worker slot: starts the command in a terminal, turns its output
 * into frames, stops it on request (SIGTERM to its process group, SIGKILL after the grace period),
 * and reports its end. Short-lived: a slot makes a new one per attempt.
 */
export class Attempt {
  readonly id: string;
  readonly index: number;
  readonly job: Job;
  state: WorkerState = 'pending';
  pid: number | null = null;
  startedAt: number | null = null;
  endedAt: number | null = null;
  /** When it last printed (or was resumed, or started): what idle detection measures from. */
  lastOutputAt = 0;
  paused = false;
  /** Someone outside relay has its keyboard (run.hold): the idle and on-input policies hold off. */
  held = false;
  bytes = 0;
  tail = '';
  exitCode: number | null = null;
  signal: string | null = null;
  reason: WorkerReason | null = null;
  error: string | null = null;
  /** Set when it failed on a rate limit (its extension said so). */
  rateLimit: { resetsAt?: number } | undefined;

  private pty: PtyProcess | undefined;
  /** Between start() and spawning (extension.prepare), and between its end and worker_exited (extension.end). */
  private settling = false;
  private readonly decoder = new StringDecoder('utf8');
  /** Set when relay asked it to stop, so its end is reported with that reason, not as its own failure. */
  private stopReason: StopReason | undefined;
  private killAt = Infinity;
  private closeAt = Infinity;
  private killTimer: unknown;
  private drainTimer: unknown;
  /** Set when its process has exited (its output may still be unread). */
  private processExited = false;

  constructor(
    private spec: AttemptSpec,
    private readonly hooks: AttemptHooks,
  ) {
    this.id = `w${spec.index}`;
    this.index = spec.index;
    this.job = spec.job;
  }

  /** What it runs: as prepared by the extension once it is (a retry may resume a session). */
  get argv(): readonly string[] {
    return this.spec.argv;
  }

  /** Holds its slot: started and not yet reported as exited. */
  get running(): boolean {
    return this.state === 'running' || this.state === 'stopping' || this.settling;
  }

  /** task, task_id and attempt: on every frame of this attempt. */
  private get taskFields(): { task: number; task_id: string; attempt: number } {
    return { task: this.job.task.number, task_id: this.job.task.id, attempt: this.job.attempt };
  }

  /** Starts it; returns a promise only when an extension prepares it first (the promise never rejects). */
  start(spawn: PtySpawner): void | Promise<void> {
    this.startedAt = this.lastOutputAt = this.hooks.now();
    if (this.hooks.extension) return this.prepareThenSpawn(spawn, this.hooks.extension);
    this.spawnNow(spawn);
  }

  private async prepareThenSpawn(spawn: PtySpawner, extension: AttemptExtension): Promise<void> {
    // Under way from now on: its slot is taken (and shown running) while it is prepared.
    this.state = 'running';
    this.settling = true;
    try {
      this.spec = await extension.prepare(this.spec);
    } catch (err) {
      this.settling = false;
      return this.failToStart(126, (err as Error).message);
    }
    this.settling = false;
    this.startedAt = this.lastOutputAt = this.hooks.now();
    this.spawnNow(spawn);
  }

  private spawnNow(spawn: PtySpawner): void {
    // A task's own cwd may be missing; node-pty would start anyway and the child fail in chdir.
    if (!isDirectory(this.spec.cwd)) return this.failToStart(126, `cwd ${this.spec.cwd}: no such directory`);
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
      // Usually a resource ran out (descriptors, terminals, processes): say which, not "126".
      const ranOut = /fork|openpty|spawn/i.test((err as Error).message) ? whatRanOut() : undefined;
      return this.failToStart(126, `${this.spec.argv[0]}: ${ranOut ?? (err as Error).message}`);
    }
    this.pid = this.pty.pid;
    this.state = 'running';
    this.hooks.emit({ type: 'worker_started', worker: this.id, index: this.index, pid: this.pid, argv: [...this.argv], ...this.taskFields });
    this.pty.onData = (chunk) => this.handleData(chunk);
    this.pty.onExit = (exit) => this.handleExit(exit);
    this.pty.onEnd = (exit) => this.handleEnd(exit);
  }

  pause(): void {
    this.paused = true;
    this.pty?.pause();
  }

  resume(): void {
    // Silence while relay held the terminal paused is not the worker's: restart the idle clock.
    if (this.paused) this.lastOutputAt = this.hooks.now();
    this.paused = false;
    this.pty?.resume();
  }

  /** Type into its terminal. */
  write(data: string | Buffer): void {
    if (this.state === 'running') this.pty?.write(data);
  }

  /** Change its terminal's size (the program gets SIGWINCH). */
  resize(cols: number, rows: number): void {
    if (this.state === 'running') this.pty?.resize(cols, rows);
  }

  /** Hand its keyboard to someone outside relay (true) or give it back (false). */
  hold(held: boolean): void {
    // Silence while someone else had the keyboard is not the worker's: restart the idle clock.
    if (this.held && !held) this.lastOutputAt = this.hooks.now();
    this.held = held;
  }

  /**
   * Ask it to stop: `signal` to its whole process group now, SIGKILL after `graceMs`. The first
   * reason given is the one reported; a later, shorter grace period wins. `keepOutput`: wait for
   * every byte of a cancelled attempt too (the reader still wants them: --fail-fast).
   */
  stop(reason: StopReason, signal: NodeJS.Signals, graceMs: number, keepOutput = false): void {
    if (!this.running || !this.pty || this.settling) return;
    // Already exited by itself: its outcome is what happened, not a cancellation. A stop of the
    // whole run only stops waiting for its unread output (a stalled reader), a moment from now.
    if (this.processExited) {
      if (reason === 'cancelled' && !keepOutput) this.closeAfter(DRAIN_AFTER_KILL_MS);
      return;
    }
    this.stopReason ??= reason;
    this.state = 'stopping';
    this.pty.kill(signal);
    const now = this.hooks.now();
    if (now + graceMs < this.killAt) {
      this.killAt = now + graceMs;
      this.hooks.timers.clear(this.killTimer);
      // Not unref'd: paused terminals hold no active handle, and the run must not be abandoned.
      this.killTimer = this.hooks.timers.set(() => this.pty?.kill('SIGKILL'), graceMs);
    }
    // When the whole run stops, also stop waiting for its last output a moment after SIGKILL. An
    // attempt stopped by a policy (timeout, idle) keeps every byte: a paused terminal drains when
    // the reader catches up.
    if (reason === 'cancelled' && !keepOutput) this.closeAfter(this.killAt - now + DRAIN_AFTER_KILL_MS);
  }

  /** Stop waiting for its output `ms` from now (an earlier deadline wins). */
  private closeAfter(ms: number): void {
    const now = this.hooks.now();
    if (now + ms >= this.closeAt) return;
    this.closeAt = now + ms;
    this.hooks.timers.clear(this.drainTimer);
    this.drainTimer = this.hooks.timers.set(() => this.forceClose(), ms);
  }

  /** Give up waiting for its last output (after the stop grace period, or a second Ctrl-C). */
  forceClose(): void {
    if (!this.running || !this.pty || this.settling) return;
    if (!this.processExited) this.stopReason ??= 'cancelled';
    this.pty.forceClose();
  }

  private handleData(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.lastOutputAt = this.hooks.now();
    const text = this.decoder.write(chunk);
    if (text.length > 0) this.emitText(text);
  }

  private emitText(text: string): void {
    this.tail = text.length >= TAIL_CHARS ? text.slice(-TAIL_CHARS) : (this.tail + text).slice(-TAIL_CHARS);
    this.hooks.emit({ type: 'worker_stream', worker: this.id, data: text, ...this.taskFields });
    this.hooks.extension?.text(text);
  }

  /** Tells its extension (its agent) that it has been silent for --idle-timeout; true when --on-input took over. */
  idle(): boolean {
    return this.hooks.extension?.idle(this.tail) ?? false;
  }

  /** Its process exited: the outcome is known now, whether or not its output has been read. */
  private handleExit(exit: PtyExit): void {
    if (this.processExited || !this.running) return;
    this.processExited = true;
    this.endedAt = this.hooks.now();
    this.exitCode = exit.exitCode;
    this.signal = exit.signal;
    this.reason = this.stopReason ?? (exit.signal ? 'signal' : 'exit');
    this.hooks.exited?.(this);
  }

  private handleEnd(exit: PtyExit): void {
    const rest = this.decoder.end();
    if (rest.length > 0) this.emitText(rest);
    // Reported as it exited (handleExit), however long its output waited for the reader.
    this.finish(exit, this.reason ?? this.stopReason ?? (exit.signal ? 'signal' : 'exit'));
    // The leader is gone; anything it left running in its session would be an orphan.
    this.pty?.kill('SIGKILL');
  }

  private failToStart(exitCode: 126 | 127, error: string): void {
    this.error = error;
    this.hooks.emit({ type: 'worker_started', worker: this.id, index: this.index, pid: null, argv: [...this.argv], ...this.taskFields });
    this.finish({ exitCode, signal: null }, 'spawn_error');
  }

  private finish(exit: PtyExit, reason: WorkerReason): void {
    this.hooks.timers.clear(this.killTimer);
    this.hooks.timers.clear(this.drainTimer);
    if (!this.processExited) this.endedAt = this.hooks.now();
    this.exitCode = exit.exitCode;
    this.signal = exit.signal;
    this.reason = reason;
    const extension = this.hooks.extension;
    if (!extension) return this.exited({});
    // Its slot stays taken until the extension is done (worktree diff, results files).
    this.settling = true;
    void extension.end(this).then((extras) => this.exited(extras));
  }

  private exited(extras: ExitExtras): void {
    this.settling = false;
    this.state = 'exited';
    if (extras.reason && this.reason === 'exit') this.reason = extras.reason;
    if (extras.rateLimit && !this.succeeded && (this.reason === 'exit' || this.reason === 'agent_error')) this.rateLimit = extras.rateLimit;
    const error = this.error ?? extras.error;
    this.hooks.emit({
      type: 'worker_exited',
      worker: this.id,
      index: this.index,
      exit_code: this.exitCode,
      signal: this.signal,
      reason: this.reason!,
      duration_ms: this.durationMs,
      bytes: this.bytes,
      ...(error ? { error } : {}),
      ...this.taskFields,
      ...(extras.agent ? { agent: extras.agent } : {}),
      ...(extras.worktree ? { worktree: extras.worktree } : {}),
    });
    this.hooks.ended(this);
  }

  get durationMs(): number {
    return Math.max(0, (this.endedAt ?? this.hooks.now()) - (this.startedAt ?? this.endedAt ?? 0));
  }

  /** Ended by itself with exit 0. */
  get succeeded(): boolean {
    return succeeded(this);
  }
}
