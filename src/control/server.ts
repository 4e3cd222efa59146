// A run's control socket: what `relay ls`, `relay attach` and `relay send` talk to. It lives
// beside the engine, not in it: everything it does goes through the run's public API (observe
// for output, write / hold / resize to step in, record for the operator frames), so the engine
// knows nothing of sockets.
import { chmodSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { FanoutRun } from '../fanout/run.js';
import type { Frame } from '../frames/types.js';
import { privateDir, socketPath } from './dir.js';
import { send, readMessages, type Request } from './protocol.js';
import { WorkerScreen } from './screen.js';
import { runInfo, type SlotWatch } from './info.js';
import { AttachSession } from './session.js';
import { resolveTarget } from './target.js';

export interface RunAbout {
  cwd: string;
  command: readonly string[];
  version: string;
}

/** A run's control socket. Opened (listening, refusing work) before the run starts; serve() hands it the run. */
export class ControlServer {
  private run: FanoutRun | undefined;
  private about: RunAbout | undefined;
  private readonly clients = new Set<Socket>();
  private readonly slots: SlotWatch[] = [];
  private unobserve = (): void => {};
  private closed = false;
  private readonly unlinkAtExit = (): void => this.unlink();

  private constructor(
    readonly path: string,
    private readonly server: Server,
  ) {
    server.on('connection', (socket) => this.connected(socket));
    // A forced exit (process.exit) skips close(): the socket must not outlive the run anyway.
    process.on('exit', this.unlinkAtExit);
  }

  /** Listens on `<control dir>/<runId>.sock`; throws a usage error when the directory is not private. */
  static async open(runId: string, env: NodeJS.ProcessEnv = process.env): Promise<ControlServer> {
    const dir = privateDir(true, env)!;
    const path = socketPath(dir, runId);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => (server.off('error', reject), resolve()));
    });
    chmodSync(path, 0o600); // the directory already keeps others out; this says so too
    return new ControlServer(path, server);
  }

  serve(run: FanoutRun, about: RunAbout): void {
    this.run = run;
    this.about = about;
    for (let i = 0; i < run.workers.length; i++) {
      this.slots.push({ screen: new WorkerScreen(run.size.cols, run.size.rows), watchers: new Set(), driver: undefined, lastOutputAt: 0, asking: false, idle: false });
    }
    this.unobserve = run.observe((frame) => this.frame(frame));
  }

  /** Stops listening, removes the socket and tells every client the run ended. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unobserve();
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.clients) {
      send(socket, { ev: 'ended' });
      socket.end();
    }
    for (const s of this.slots) s.screen.dispose();
    this.unlink();
    process.off('exit', this.unlinkAtExit);
    await closing;
  }

  private unlink(): void {
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }

  private connected(socket: Socket): void {
    this.clients.add(socket);
    socket.on('close', () => this.clients.delete(socket));
    socket.on('error', () => socket.destroy());
    let session: AttachSession | undefined;
    readMessages<Request>(socket, (request) => {
      if (!this.run || this.closed) return send(socket, { ok: false, error: 'the run is not ready' });
      if (session) return session.handle(request);
      if (request.op === 'info') return send(socket, { ok: true, info: runInfo(this.run, this.about!, this.slots) });
      if (request.op === 'send') return this.sendText(socket, request);
      if (request.op === 'attach') {
        const made = AttachSession.start(this.run, this.slots, socket, request);
        if (made) session = made;
        return;
      }
      send(socket, { ok: false, error: `unexpected request "${String((request as { op?: unknown }).op)}"` });
    });
  }

  private sendText(socket: Socket, request: Extract<Request, { op: 'send' }>): void {
    const slot = resolveTarget(this.run!, request.target);
    if (typeof slot === 'string') return send(socket, { ok: false, error: slot });
    const bytes = Buffer.byteLength(request.text);
    this.run!.write(slot, request.text);
    this.run!.record(slot, { action: 'send', user: request.user, bytes, text: request.text });
    send(socket, { ok: true, worker: `w${slot}` });
  }

  /** Keeps each slot's screen and state, and passes its output on to whoever watches it. */
  private frame(frame: Frame): void {
    if (!('worker' in frame) || frame.type === 'operator') return;
    const slot = this.slots[Number(frame.worker.slice(1)) - 1];
    if (!slot) return;
    switch (frame.type) {
      case 'worker_started':
        slot.screen.reset(this.run!.size.cols, this.run!.size.rows);
        Object.assign(slot, { lastOutputAt: frame.ts, asking: false, idle: false });
        break;
      case 'worker_stream':
        slot.screen.write(frame.data);
        Object.assign(slot, { lastOutputAt: frame.ts, asking: false, idle: false });
        for (const watcher of slot.watchers) watcher.output(frame.data);
        break;
      case 'worker_idle':
        slot.idle = true;
        break;
      case 'agent_event':
        if (frame.kind === 'awaiting_input') slot.asking = true;
        break;
      case 'worker_exited':
        for (const watcher of [...slot.watchers]) watcher.exited(frame);
        break;
    }
  }
}
