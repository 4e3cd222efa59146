// One `relay attach` connection: watches one attempt's terminal and may take its keyboard.
// Several may watch a worker; one drives at a time. Every step is recorded in the frame stream
// (operator frames) while the attempt runs; when it ends, so does the session.
import type { Socket } from 'node:net';
import type { FanoutRun } from '../fanout/run.js';
import type { OperatorActionName, WorkerExited } from '../frames/types.js';
import type { SlotWatch } from './info.js';
import { send, type Event, type Request } from './protocol.js';
import { resolveTarget } from './target.js';

/** A watcher this far behind (a stalled terminal) is dropped rather than buffered without end. */
const MAX_BEHIND_BYTES = 8 << 20;

export class AttachSession {
  private driving = false;
  private ended = false;
  /** Output that came while the first screen was being taken: sent right after it, in order. */
  private pending: string[] | undefined = [];
  private size: { cols: number; rows: number } | undefined;

  private constructor(
    private readonly run: FanoutRun,
    private readonly slot: number,
    private readonly watch: SlotWatch,
    private readonly socket: Socket,
    readonly user: string,
  ) {
    socket.on('close', () => this.end('detach'));
  }

  /** Attaches `socket` to the request's worker: replies with its screen, then streams its output. */
  static start(run: FanoutRun, slots: readonly SlotWatch[], socket: Socket, request: Extract<Request, { op: 'attach' }>): AttachSession | undefined {
    const slot = resolveTarget(run, request.target);
    if (typeof slot === 'string') return void send(socket, { ok: false, error: slot });
    const watch = slots[slot - 1]!;
    const session = new AttachSession(run, slot, watch, socket, request.user);
    watch.watchers.add(session);
    run.record(slot, { action: 'attach', user: session.user });
    void watch.screen.snapshot().then((screen) => {
      const task = run.workers[slot - 1]!.task!;
      send(socket, { ok: true, worker: `w${slot}`, screen: { worker: `w${slot}`, task_id: task.id, ...screen } });
      for (const data of session.pending ?? []) session.event({ ev: 'data', data });
      session.pending = undefined;
    });
    return session;
  }

  handle(request: Request): void {
    if (this.ended) return;
    switch (request.op) {
      case 'drive':
        if (request.cols && request.rows) this.size = { cols: request.cols, rows: request.rows };
        return this.drive();
      case 'release':
        return this.release();
      case 'input':
        return this.input(Buffer.from(request.data, 'base64'));
      case 'resize':
        this.size = { cols: request.cols, rows: request.rows };
        if (this.driving) this.applySize(this.size);
        return;
      case 'detach':
        this.end('detach');
        return void send(this.socket, { ok: true });
      default:
        send(this.socket, { ok: false, error: `unexpected request "${request.op}" while attached` });
    }
  }

  output(data: string): void {
    if (this.pending) return void this.pending.push(data);
    this.event({ ev: 'data', data });
  }

  /** Its attempt ended: say how, and let go (nothing more to record: worker_exited says it). */
  exited(frame: WorkerExited): void {
    this.event({ ev: 'exited', worker: frame.worker, exit_code: frame.exit_code, signal: frame.signal, reason: frame.reason });
    this.ended = true;
    this.driving = false;
    this.forget();
  }

  private drive(): void {
    const driver = this.watch.driver;
    if (driver && driver !== this) return this.event({ ev: 'busy', by: driver.user });
    if (!this.driving) {
      this.driving = true;
      this.watch.driver = this;
      this.run.hold(this.slot, true);
      this.record('drive');
      if (this.size) this.applySize(this.size);
    }
    this.event({ ev: 'driving' });
  }

  private release(): void {
    if (!this.driving) return this.event({ ev: 'released' });
    this.driving = false;
    this.watch.driver = undefined;
    this.run.hold(this.slot, false);
    // Back to the size relay gave it, which the other watchers and the frame readers expect.
    this.applySize(this.run.size);
    this.record('release');
    this.event({ ev: 'released' });
  }

  private input(data: Buffer): void {
    if (!this.driving || data.length === 0) return;
    this.run.write(this.slot, data);
    this.record('input', data.length);
  }

  private applySize(size: { cols: number; rows: number }): void {
    if (this.run.resize(this.slot, size.cols, size.rows)) this.watch.screen.resize(size.cols, size.rows);
  }

  /** Detached (asked, or the connection closed): give the keyboard back and stop watching. */
  private end(action: 'detach'): void {
    if (this.ended) return;
    if (this.driving) this.release();
    this.ended = true;
    this.record(action);
    this.forget();
  }

  private forget(): void {
    this.watch.watchers.delete(this);
    if (this.watch.driver === this) this.watch.driver = undefined;
  }

  private record(action: OperatorActionName, bytes?: number): void {
    this.run.record(this.slot, { action, user: this.user, ...(bytes !== undefined ? { bytes } : {}) });
  }

  private event(event: Event): void {
    if (this.socket.writableLength > MAX_BEHIND_BYTES) return void this.socket.destroy();
    send(this.socket, event);
  }
}
