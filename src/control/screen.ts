// What a worker's terminal shows now, for `relay attach`: a headless terminal emulator
// (@xterm/headless) fed the worker's output. Made only when someone first attaches, so a run
// nobody looks at pays nothing but a bounded copy of each attempt's recent output, which is
// replayed into the emulator then (as bytes: src/lines/recent.ts says why; measured here, keeping
// strings instead cost +55 MB RSS for 9 × 5 MB).
import type { Terminal as XTerm } from '@xterm/headless';
import { RecentBytes } from '../lines/recent.js';
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
