// `relay attach`: this terminal shows a worker's screen, then its live output; the person may
// take the keyboard and give it back. Keys (the attaching terminal is in raw mode, always
// restored on the way out):
//   watching:  d  take the keyboard      q or Ctrl-C  detach      (anything else is ignored)
//   driving:   everything goes to the worker (Ctrl-C included), except the escape Ctrl-]:
//              Ctrl-] d  give the keyboard back    Ctrl-] q  detach    Ctrl-] Ctrl-]  a literal Ctrl-]
// Ctrl-] works while watching too. Detaching never stops the worker or the run.
import { Connection, expectOk, localUser, pickRun } from './client.js';
import type { Event, Snapshot } from './protocol.js';

const ESCAPE = 0x1d; // Ctrl-]
const CTRL_C = 0x03;

export interface AttachOptions {
  run: string | undefined;
  target: string;
  drive: boolean;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
}

/** Attaches until the person detaches, the worker exits or the run ends; resolves with the exit status. */
export async function attach(o: AttachOptions): Promise<number> {
  const { path } = await pickRun(o.run);
  const conn = await Connection.open(path);
  const reply = await conn.request({ op: 'attach', target: o.target, user: localUser() });
  if (!reply.ok) conn.close();
  return new AttachView(conn, expectOk(reply).screen!, o).run();
}

class AttachView {
  private driving = false;
  private escaped = false;
  private done!: (code: number) => void;
  private readonly restore: () => void;

  constructor(
    private readonly conn: Connection,
    private readonly screen: Snapshot,
    private readonly o: AttachOptions,
  ) {
    this.restore = rawMode(o.stdin);
  }

  run(): Promise<number> {
    const finished = new Promise<number>((resolve) => (this.done = resolve));
    const onSignal = (signal: NodeJS.Signals): void => this.finish(signal === 'SIGHUP' ? 129 : 143);
    const onResize = (): void => {
      const size = this.size();
      if (size.cols) this.conn.tell({ op: 'resize', cols: size.cols, rows: size.rows! });
    };
    const onKeys = (chunk: Buffer): void => this.keys(chunk);
    process.on('SIGTERM', onSignal).on('SIGHUP', onSignal).on('exit', this.restore);
    this.o.stdout.on('resize', onResize);
    this.o.stdin.on('data', onKeys);
    this.conn.onEvent = (event) => this.event(event);
    void this.conn.closed.then(() => this.finish(0, 'the run ended'));
    this.paint();
    if (this.o.drive) this.conn.tell({ op: 'drive', ...this.size() });
    return finished.finally(() => {
      process.off('SIGTERM', onSignal).off('SIGHUP', onSignal).off('exit', this.restore);
      this.o.stdout.off('resize', onResize);
      this.o.stdin.off('data', onKeys);
      this.o.stdin.pause();
      this.restore();
      this.conn.close();
    });
  }

  /** The worker's screen as it is now, with its cursor where it is. */
  private paint(): void {
    const { lines, cursor, worker } = this.screen;
    this.title(`relay: ${worker} (watching: d takes the keyboard, q detaches)`);
    this.o.stdout.write(`\x1b[H\x1b[2J${lines.join('\r\n')}\x1b[${cursor.y + 1};${cursor.x + 1}H`);
  }

  private keys(chunk: Buffer): void {
    const forward: number[] = [];
    for (const byte of chunk) {
      if (this.escaped) {
        this.escaped = false;
        if (byte === ESCAPE && this.driving) forward.push(byte);
        else this.command(byte);
      } else if (byte === ESCAPE) this.escaped = true;
      else if (this.driving) forward.push(byte);
      else if (byte === CTRL_C) this.command(0x71);
      else this.command(byte);
    }
    if (forward.length > 0 && this.driving) this.conn.tell({ op: 'input', data: Buffer.from(forward).toString('base64') });
  }

  private command(byte: number): void {
    const key = String.fromCharCode(byte).toLowerCase();
    if (key === 'd') this.conn.tell(this.driving ? { op: 'release' } : { op: 'drive', ...this.size() });
    else if (key === 'q' || key === '.') void this.conn.request({ op: 'detach' }).then(() => this.finish(0, 'detached; the worker goes on'));
  }

  private event(event: Event): void {
    switch (event.ev) {
      case 'data':
        return void this.o.stdout.write(event.data);
      case 'driving':
        this.driving = true;
        this.title(`relay: ${this.screen.worker} (driving: Ctrl-] d gives it back, Ctrl-] q detaches)`);
        return this.notice(`you have ${this.screen.worker}'s keyboard: Ctrl-] d gives it back, Ctrl-] q detaches`);
      case 'released':
        this.driving = false;
        this.title(`relay: ${this.screen.worker} (watching: d takes the keyboard, q detaches)`);
        return this.notice(`gave ${this.screen.worker} back to relay; watching (d takes the keyboard, q detaches)`);
      case 'busy':
        return this.notice(`${event.by} is driving ${this.screen.worker}; watching`);
      case 'exited':
        return this.finish(0, `${event.worker} ended (${event.reason}${event.exit_code !== null ? ` ${event.exit_code}` : ''}${event.signal ? ` ${event.signal}` : ''})`);
      case 'ended':
        return this.finish(0, 'the run ended');
    }
  }

  private finish(code: number, why?: string): void {
    if (why) this.notice(why);
    this.done(code);
  }

  private notice(text: string): void {
    this.o.stdout.write(`\r\n[relay] ${text}\r\n`);
  }

  private title(text: string): void {
    if (this.o.stdout.isTTY) this.o.stdout.write(`\x1b]0;${text}\x07`);
  }

  private size(): { cols?: number; rows?: number } {
    const { columns, rows } = this.o.stdout;
    return columns && rows ? { cols: columns, rows } : {};
  }
}

/** Raw mode for a terminal stdin; returns what puts it back (safe to call more than once). */
function rawMode(stdin: NodeJS.ReadStream): () => void {
  if (!stdin.isTTY) return () => {};
  stdin.setRawMode(true);
  stdin.resume();
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    stdin.setRawMode(false);
  };
}
