// The client side of the control socket: find the live runs, pick one, talk to it.
import { readdirSync, unlinkSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { usageError } from '../errors.js';
import { controlDir, privateDir } from './dir.js';
import { readMessages, send, type Event, type Message, type Reply, type Request, type RunInfo } from './protocol.js';

/** A live run answers at once; one that does not within this long is treated as gone. */
const ANSWER_MS = 3000;

/** Who steps in, as the frames record it. */
export function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 'unknown');
  }
}

/** One connection to a run: requests answered in order, events passed to `onEvent`. */
export class Connection {
  private readonly waiting: Array<(reply: Reply) => void> = [];
  onEvent: (event: Event) => void = () => {};
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    readMessages<Message>(socket, (m) => ('ev' in m ? this.onEvent(m) : this.waiting.shift()?.(m)));
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    void this.closed.then(() => {
      for (const w of this.waiting.splice(0)) w({ ok: false, error: 'the run closed the connection' });
    });
  }

  static open(path: string): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      socket.once('connect', () => (socket.off('error', reject), resolve(new Connection(socket))));
      socket.once('error', reject);
    });
  }

  request(request: Request): Promise<Reply> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      send(this.socket, request);
    });
  }

  /** Sends without waiting for an answer (keystrokes, sizes). */
  tell(request: Request): void {
    send(this.socket, request);
  }

  close(): void {
    this.socket.end();
  }
}

export interface LiveRun {
  path: string;
  info: RunInfo;
}

/**
 * The live runs of this user, oldest first. A socket nobody listens on (its run was killed) is
 * removed: connecting is refused, so no run can be behind it.
 */
export async function liveRuns(env: NodeJS.ProcessEnv = process.env): Promise<LiveRun[]> {
  const dir = privateDir(false, env);
  if (!dir) return [];
  const names = readdirSync(dir).filter((n) => n.endsWith('.sock'));
  const runs = await Promise.all(names.map((n) => ask(join(dir, n))));
  return runs.filter((r): r is LiveRun => r !== undefined).sort((a, b) => a.info.started_at - b.info.started_at);
}

async function ask(path: string): Promise<LiveRun | undefined> {
  let conn: Connection;
  try {
    conn = await Connection.open(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED') removeStale(path);
    return undefined;
  }
  const timer = setTimeout(() => conn.socket.destroy(), ANSWER_MS);
  const reply = await conn.request({ op: 'info' });
  clearTimeout(timer);
  conn.close();
  return reply.ok && reply.info ? { path, info: reply.info } : undefined;
}

function removeStale(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // another ls got there first
  }
}

/** The run `id` names (a prefix will do), or the only live one; else a one-line usage error. */
export async function pickRun(id: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<LiveRun> {
  const runs = await liveRuns(env);
  if (id !== undefined) {
    const matching = runs.filter((r) => r.info.run_id.startsWith(id));
    if (matching.length === 1) return matching[0]!;
    if (matching.length === 0) throw usageError(`no live run "${id}"; live: ${listed(runs) || 'none'}`);
    throw usageError(`--run ${id} matches several runs: ${listed(matching)}`);
  }
  if (runs.length === 1) return runs[0]!;
  if (runs.length === 0) throw usageError(`no live relay run of yours (sockets in ${controlDir(env)})`);
  throw usageError(`${runs.length} live runs; pick one with --run ID: ${listed(runs)}`);
}

function listed(runs: LiveRun[]): string {
  return runs.map((r) => `${r.info.run_id.slice(0, 8)} (pid ${r.info.pid}, ${r.info.cwd})`).join(', ');
}

/** A run's answer, or its error as a usage error. */
export function expectOk(reply: Reply): Extract<Reply, { ok: true }> {
  if (!reply.ok) throw usageError(reply.error);
  return reply;
}
