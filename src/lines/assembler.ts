// Turns raw terminal output into the lines a person would read: a tiny model of one terminal
// line (cells and a cursor column) that honours what programs use to redraw a line — "\r",
// backspace, erase-in-line, cursor left/right/column — and drops every other escape sequence
// (colours, titles, hyperlinks). Lines are logical lines: the terminal's wrapping is ignored,
// and cursor movement up or down is not modelled (use `relay replay` for the screen).
import ansiRegex from 'ansi-regex';

export const DEFAULT_MAX_LINE_LENGTH = 4096;

export interface LineAssemblerOptions {
  /** A line longer than this many characters is split into pieces of at most this length. Default 4096. */
  maxLength?: number;
}

/** An escape sequence still arriving: held back until the next chunk completes it (bounded). */
const MAX_HELD = 256;
const SEQUENCE = ansiRegex();
/** Controls that show nothing (everything C0 and DEL but tab, newline, carriage return, backspace, escape). */
const INVISIBLE = /[\x00-\x07\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]/g;

export class LineAssembler {
  private cells: string[] = [];
  private col = 0;
  /** Raw text held back because it may be the start of an escape sequence. */
  private held = '';
  private readonly maxLength: number;

  constructor(options: LineAssemblerOptions = {}) {
    this.maxLength = options.maxLength ?? DEFAULT_MAX_LINE_LENGTH;
    if (!Number.isInteger(this.maxLength) || this.maxLength < 1) throw new RangeError(`maxLength must be a positive integer, got ${this.maxLength}`);
  }

  /** Feeds raw output; returns the lines it completed (each newline completes one, possibly empty). */
  push(text: string): string[] {
    const out: string[] = [];
    const input = this.held + text;
    this.held = '';
    const cut = this.incompleteTail(input);
    if (cut < input.length) this.held = input.slice(cut);
    this.consume(input.slice(0, cut), out);
    return out;
  }

  /** True when the current unfinished line shows something (what flush() would return). */
  get pending(): boolean {
    return this.text() !== '';
  }

  /**
   * Ends the current unfinished line: returns what it shows (undefined when that is nothing)
   * and starts a new one. For a quiet period or the end of the output.
   */
  flush(): string | undefined {
    this.held = ''; // an escape sequence that never completed shows nothing
    const text = this.text();
    this.cells = [];
    this.col = 0;
    return text !== '' ? text : undefined;
  }

  /** Where a possibly incomplete escape sequence starts at the end of `input` (input.length if none). */
  private incompleteTail(input: string): number {
    const esc = input.lastIndexOf('\x1b');
    if (esc < 0 || input.length - esc > MAX_HELD) return input.length;
    SEQUENCE.lastIndex = esc;
    const m = SEQUENCE.exec(input);
    SEQUENCE.lastIndex = 0;
    // Complete sequence (or a lone ESC followed by something that is not one): nothing to hold.
    if (m && m.index === esc) return input.length;
    return /^\x1b(?:[[\]PX^_k][^\x07\x1b]*|[\x20-\x2f]*)?$/.test(input.slice(esc)) ? esc : input.length;
  }

  private consume(text: string, out: string[]): void {
    let last = 0;
    for (const m of text.matchAll(SEQUENCE)) {
      this.plain(text.slice(last, m.index), out);
      this.control(m[0]);
      last = m.index + m[0].length;
    }
    this.plain(text.slice(last), out);
  }

  private plain(text: string, out: string[]): void {
    for (const ch of text.replace(INVISIBLE, '')) {
      if (ch === '\n') out.push(this.endLine());
      else if (ch === '\r') this.col = 0;
      else if (ch === '\b') this.col = Math.max(0, this.col - 1);
      else if (ch !== '\x1b') this.put(ch, out);
    }
  }

  private put(ch: string, out: string[]): void {
    if (this.col >= this.maxLength) {
      // Too long: what is there becomes a line, and the text goes on in the next one.
      out.push(this.endLine());
    }
    while (this.cells.length < this.col) this.cells.push(' ');
    this.cells[this.col] = ch;
    this.col += 1;
  }

  /** The few sequences that change what a line shows; every other one is dropped. */
  private control(seq: string): void {
    const csi = /^(?:\x1b\[|\x9b)([\d;]*)([GCDK])$/.exec(seq);
    if (!csi) return;
    const n = Number(csi[1] || 0);
    switch (csi[2]) {
      case 'G': // cursor to column n (1-based)
        this.col = Math.max(0, Math.min(n || 1, this.maxLength) - 1);
        break;
      case 'C': // cursor forward
        this.col = Math.min(this.col + (n || 1), this.maxLength);
        break;
      case 'D': // cursor back
        this.col = Math.max(0, this.col - (n || 1));
        break;
      case 'K': // erase in line: 0 to the end, 1 to the start, 2 all (the cursor stays)
        if (n === 0) this.cells.length = Math.min(this.cells.length, this.col);
        else if (n === 1) for (let i = 0; i <= this.col && i < this.cells.length; i++) this.cells[i] = ' ';
        else if (n === 2) this.cells = [];
        break;
    }
  }

  private endLine(): string {
    const text = this.text();
    this.cells = [];
    this.col = 0;
    return text;
  }

  /** What the line shows; cells erased to blanks at its end are not part of it. */
  private text(): string {
    return this.cells.join('').trimEnd();
  }
}

/** Every line of a finished output: complete lines plus what the last unfinished one shows. */
export function toLines(text: string, options?: LineAssemblerOptions): string[] {
  const assembler = new LineAssembler(options);
  const lines = assembler.push(text);
  const rest = assembler.flush();
  if (rest !== undefined) lines.push(rest);
  return lines;
}
