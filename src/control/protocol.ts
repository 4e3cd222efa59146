// The control protocol: NDJSON both ways over a run's Unix socket. A client sends requests
// (`op`); the server answers each with `ok` true or false and, once attached, sends events (`ev`).
// Private to relay: both ends are the same program (ls, attach and send talk to a relay fanout).
import { createInterface } from 'node:readline';
import type { Socket } from 'node:net';

/** What `relay ls` shows of a run, and its --json. */
export interface RunInfo {
  run_id: string;
  pid: number;
  cwd: string;
  command: string[];
  version: string;
  started_at: number;
  /** Worker slots. */
  workers: number;
  tasks: { total: number; done: number; failed: number; running: number };
  cols: number;
  rows: number;
  slots: SlotInfo[];
}

/** running, waiting_input (its agent asked, or it is idle at a prompt), idle, stopping, pending, waiting (retry back-off), exited. */
export type SlotState = 'running' | 'waiting_input' | 'idle' | 'stopping' | 'pending' | 'waiting' | 'exited';

export interface SlotInfo {
  worker: string;
  index: number;
  task: number | null;
  task_id: string | null;
  attempt: number | null;
  state: SlotState;
  pid: number | null;
  elapsed_ms: number;
  /** Milliseconds since it last printed (running attempts only). */
  quiet_ms: number | null;
  last_line: string;
  watchers: number;
  /** Who has its keyboard (relay attach), if anyone. */
  driver: string | null;
}

export type Request =
  | { op: 'info' }
  | { op: 'send'; target: string; text: string; user: string }
  | { op: 'attach'; target: string; user: string }
  | { op: 'drive'; cols?: number; rows?: number }
  | { op: 'release' }
  | { op: 'input'; data: string /* base64 */ }
  | { op: 'resize'; cols: number; rows: number }
  | { op: 'detach' };

export interface Snapshot {
  worker: string;
  task_id: string;
  cols: number;
  rows: number;
  lines: string[];
  cursor: { x: number; y: number };
}

export type Reply =
  | { ok: true; info?: RunInfo; worker?: string; screen?: Snapshot }
  | { ok: false; error: string };

export type Event =
  | { ev: 'data'; data: string }
  | { ev: 'driving' }
  | { ev: 'released' }
  | { ev: 'busy'; by: string }
  | { ev: 'exited'; worker: string; exit_code: number | null; signal: string | null; reason: string }
  | { ev: 'ended' };

export type Message = Reply | Event;

/** One JSON value per line; a line that is not JSON ends the connection (nobody else speaks here). */
export function readMessages<T>(socket: Socket, onMessage: (message: T) => void): void {
  const lines = createInterface({ input: socket, crlfDelay: Infinity });
  lines.on('line', (line) => {
    let message: T;
    try {
      message = JSON.parse(line) as T;
    } catch {
      socket.destroy();
      return;
    }
    onMessage(message);
  });
}

export function send(socket: Socket, message: Request | Message): void {
  if (!socket.destroyed && socket.writable) socket.write(`${JSON.stringify(message)}\n`);
}
