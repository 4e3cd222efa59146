// What a worker's terminal shows now, for `relay attach`: a headless terminal emulator
// (@xterm/headless) fed the worker's output. Made only when someone first attaches, so a run
// nobody looks at pays nothing but a bounded copy of each attempt's recent output, which is
// replayed into the emulator then. That copy is bytes in a ring, not the output's strings: a
// string kept for a while outlives the young generation, and at full speed every byte of output
// would then pass through the old one (measured: +55 MB RSS for 9 × 5 MB).
import type { Terminal as XTerm } from '@xterm/headless';
import type { Snapshot } from './protocol.js';

/** Output kept per attempt until an emulator exists: enough to rebuild any screen that redraws now and then. */
const KEEP_BYTES = 256 * 1024;

type TerminalClass = typeof import('@xterm/headless').Terminal;
let terminalClass: Promise<TerminalClass> | undefined;
function loadTerminal(): Promise<TerminalClass> {
  // CommonJS: its named exports come through the default export.
  terminalClass ??= import('@xterm/headless').then((m) => m.default.Terminal);
  return terminalClass;
}

export class WorkerScreen {
  private term: XTerm | undefined;
  private making: Promise<XTerm> | undefined;
  private kept = new RecentBytes(KEEP_BYTES);

  constructor(
    private cols: number,
    private rows: number,
  ) {}

  write(data: string): void {
    if (this.term) return void this.term.write(data);
    this.kept.write(data);
  }

  /** A new attempt starts on a fresh terminal of the run's size. */
  reset(cols: number, rows: number): void {
    this.kept.clear();
    this.cols = cols;
    this.rows = rows;
    this.term?.reset();
    this.term?.resize(cols, rows);
  }

  resize(cols: number, rows: number): void {
    this.cols = cols;
    this.rows = rows;
    this.term?.resize(cols, rows);
  }

  /** Its rows and cursor once everything written so far is processed. */
  async snapshot(): Promise<Pick<Snapshot, 'cols' | 'rows' | 'lines' | 'cursor'>> {
    const term = await this.emulator();
    return new Promise((resolve) =>
      // Runs once everything written before it has been parsed, before anything written after.
      term.write('', () => {
        const buffer = term.buffer.active;
        const lines: string[] = [];
        for (let y = 0; y < term.rows; y++) lines.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
        resolve({ cols: term.cols, rows: term.rows, lines, cursor: { x: buffer.cursorX, y: buffer.cursorY } });
      }),
    );
  }

  private emulator(): Promise<XTerm> {
    this.making ??= loadTerminal().then((Terminal) => {
      const term = new Terminal({ cols: this.cols, rows: this.rows, scrollback: 0, allowProposedApi: true });
      term.write(this.kept.text());
      this.kept.clear();
      this.term = term;
      return term;
    });
    return this.making;
  }

  dispose(): void {
    this.term?.dispose();
  }
}

/**
 * The last `size` bytes of a text, UTF-8 encoded into one buffer that grows to `size` as needed
 * and is then reused: a worker that prints little costs little, one that prints gigabytes no more.
 */
export class RecentBytes {
  private buf = Buffer.alloc(0);
  /** Bytes ever written (since clear): where the next byte goes is `written % size` once full. */
  private written = 0;

  constructor(private readonly size: number) {}

  write(text: string): void {
    let bytes = Buffer.byteLength(text);
    if (this.written + bytes <= this.buf.length) {
      this.buf.write(text, this.written);
      this.written += bytes;
      return;
    }
    let data = Buffer.from(text);
    if (bytes > this.size) (data = data.subarray(bytes - this.size)), (this.written += bytes - this.size), (bytes = this.size);
    this.grow(this.written + bytes);
    const at = this.written % this.size;
    const first = Math.min(bytes, this.size - at);
    data.copy(this.buf, at, 0, first);
    data.copy(this.buf, 0, first);
    this.written += bytes;
  }

  /** What is kept, decoded; a first character cut in half by the ring is left out. */
  text(): string {
    const kept = this.written <= this.buf.length ? this.buf.subarray(0, this.written) : Buffer.concat([this.buf.subarray(this.written % this.size), this.buf.subarray(0, this.written % this.size)]);
    let start = 0;
    if (this.written > this.buf.length) while (start < kept.length && (kept[start]! & 0xc0) === 0x80) start += 1;
    return kept.subarray(start).toString('utf8');
  }

  clear(): void {
    this.written = 0;
  }

  /** Room for `needed` bytes (at most `size`), keeping what is there. */
  private grow(needed: number): void {
    if (this.buf.length >= Math.min(needed, this.size)) return;
    const next = Buffer.alloc(Math.min(this.size, Math.max(needed, this.buf.length * 2, 4096)));
    this.buf.copy(next, 0, 0, Math.min(this.written, this.buf.length));
    this.buf = next;
  }
}
