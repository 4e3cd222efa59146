// Where a terminal's cursor is, without the screen: a VT parser that follows only what moves the
// cursor (text with its width and autowrap, CR/LF/BS/TAB, cursor addressing, scroll margins,
// origin mode, save/restore, the alternate screen). It exists to answer cursor position reports
// (src/pty/queries.ts): a full emulator (@xterm/headless) parses ~10 MB/s, far below what a
// worker prints, and the cursor is all a report needs. Behaviour follows xterm/xterm.js; the
// tests compare it with @xterm/headless on a corpus.
import { eastAsianWidth } from 'get-east-asian-width';

const enum State {
  Ground,
  Esc,
  /** ESC followed by an intermediate ('(' ')' '#' …): the next byte ends it. */
  EscIntermediate,
  Csi,
  /** OSC, DCS, SOS, PM, APC: skipped up to BEL or ST. */
  String,
}

const ZERO_WIDTH = /[\p{Mn}\p{Me}\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufe00-\ufe0f]/u;

/** Widths of the Basic Multilingual Plane as they are looked up, plus one (0: not yet). */
const bmpWidths = new Uint8Array(0x10000);

/** Columns a code point takes: 0 (combining), 1 or 2 (East Asian wide or fullwidth). */
export function charWidth(cp: number): 0 | 1 | 2 {
  if (cp < 0x300) return 1;
  const known = cp < 0x10000 ? bmpWidths[cp]! : 0;
  if (known) return (known - 1) as 0 | 1 | 2;
  const width = ZERO_WIDTH.test(String.fromCodePoint(cp)) ? 0 : (eastAsianWidth(cp) as 1 | 2);
  if (cp < 0x10000) bmpWidths[cp] = width + 1;
  return width;
}

/** What each screen (normal, alternate) keeps of its own, as in xterm.js. */
interface Screen {
  top: number;
  bottom: number;
  savedRow: number;
  savedCol: number;
}

export class CursorTracker {
  /** 0-based; col === cols means a wrap is pending (the last column was just written). */
  row = 0;
  col = 0;
  private origin = false;
  private autowrap = true;
  private readonly normal: Screen;
  private readonly alternate: Screen;
  private screen: Screen;
  private state = State.Ground;
  /** The sequence being read: its parameters, the one being read (-1: no digit yet), prefix and intermediate. */
  private readonly params: number[] = [];
  private param = -1;
  private prefix = 0;
  private intermediate = 0;
  private utf8Need = 0;
  private utf8Cp = 0;
  private lastWidth: 0 | 1 | 2 = 0;

  constructor(
    private cols: number,
    private rows: number,
  ) {
    this.normal = { top: 0, bottom: rows - 1, savedRow: 0, savedCol: 0 };
    this.alternate = { top: 0, bottom: rows - 1, savedRow: 0, savedCol: 0 };
    this.screen = this.normal;
  }

  /** 1-based position, as a cursor position report gives it (relative to the margins in origin mode). */
  get position(): { row: number; col: number } {
    const row = this.origin ? this.row - this.screen.top : this.row;
    return { row: row + 1, col: Math.min(this.col, this.cols - 1) + 1 };
  }

  resize(cols: number, rows: number): void {
    this.cols = cols;
    this.rows = rows;
    for (const s of [this.normal, this.alternate]) {
      s.top = 0;
      s.bottom = rows - 1;
      s.savedRow = Math.min(s.savedRow, rows - 1);
      s.savedCol = Math.min(s.savedCol, cols - 1);
    }
    this.row = Math.min(this.row, rows - 1);
    this.col = Math.min(this.col, cols - 1);
  }

  write(data: Buffer, start = 0, end = data.length): void {
    for (let i = start; i < end; i++) {
      const b = data[i]!;
      if (b >= 0x20 && b < 0x7f && this.state === State.Ground && this.utf8Need === 0) {
        // A run of plain ASCII text: advanced over at once.
        let j = i + 1;
        while (j < end && data[j]! >= 0x20 && data[j]! < 0x7f) j++;
        this.printRun(j - i);
        i = j - 1;
      } else this.byte(b);
    }
  }

  /** `n` characters of width 1: what n calls of print(1) do. */
  private printRun(n: number): void {
    this.lastWidth = 1;
    if (!this.autowrap) {
      this.col = Math.min(this.col + n, this.cols);
      return;
    }
    while (n > 0) {
      if (this.col >= this.cols) {
        this.col = 0;
        this.down1();
      }
      const step = Math.min(n, this.cols - this.col);
      this.col += step;
      n -= step;
    }
  }

  private byte(b: number): void {
    if (b === 0x1b) {
      this.utf8Need = 0;
      this.state = State.Esc;
      return;
    }
    if (b === 0x18 || b === 0x1a) {
      this.state = State.Ground;
      return;
    }
    switch (this.state) {
      case State.Ground:
        return this.ground(b);
      case State.Esc:
        return this.esc(b);
      case State.EscIntermediate:
        if (b >= 0x20) this.state = State.Ground;
        return;
      case State.Csi:
        return this.csiByte(b);
      case State.String:
        if (b === 0x07) {
          this.state = State.Ground;
          this.lastWidth = 0;
        }
        return;
    }
  }

  private ground(b: number): void {
    if (b < 0x20 || b === 0x7f) return this.control(b);
    if (b < 0x80) return this.print(1);
    // UTF-8: a lead byte starts a code point, continuation bytes complete it.
    if (b >= 0xc0) {
      this.utf8Need = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : 1;
      this.utf8Cp = b & (b >= 0xf0 ? 0x07 : b >= 0xe0 ? 0x0f : 0x1f);
      return;
    }
    if (this.utf8Need === 0) return this.print(1); // stray continuation byte: a replacement character
    this.utf8Cp = (this.utf8Cp << 6) | (b & 0x3f);
    if (--this.utf8Need === 0) this.print(charWidth(this.utf8Cp));
  }

  private control(b: number): void {
    this.lastWidth = 0; // REP repeats only a character right before it
    switch (b) {
      case 0x08: // BS
        this.restrict();
        if (this.col > 0) this.col--;
        return;
      case 0x09: // HT: tab stops every 8 columns; none while a wrap is pending
        if (this.col < this.cols) this.col = Math.min(this.cols - 1, (Math.floor(this.col / 8) + 1) * 8);
        return;
      case 0x0a:
      case 0x0b:
      case 0x0c:
        this.down1();
        if (this.col >= this.cols) this.col--;
        return;
      case 0x0d:
        this.col = 0;
        return;
    }
  }

  private print(width: 0 | 1 | 2): void {
    if (width === 0) return; // combining: joins the character before, which REP repeats whole
    this.lastWidth = width;
    if (this.col + width > this.cols) {
      if (this.autowrap) {
        this.col = 0;
        this.down1();
      } else {
        this.col = this.cols - 1;
        if (width === 2) return; // a wide character does not fit in the last column
      }
    }
    this.col += width;
  }

  /** One row down, scrolling at the bottom margin. */
  private down1(): void {
    if (this.row === this.screen.bottom) return;
    if (this.row < this.rows - 1) this.row++;
  }

  /** Back on the screen (and within the margins in origin mode); ends a pending wrap. */
  private restrict(): void {
    this.col = Math.min(this.cols - 1, Math.max(0, this.col));
    const [lo, hi] = this.origin ? [this.screen.top, this.screen.bottom] : [0, this.rows - 1];
    this.row = Math.min(hi, Math.max(lo, this.row));
  }

  /** Absolute position, 0-based; rows count from the top margin in origin mode. */
  private setCursor(col: number, row: number): void {
    this.col = col;
    this.row = this.origin ? this.screen.top + row : row;
    this.restrict();
  }

  private moveCursor(dcol: number, drow: number): void {
    this.restrict();
    this.col += dcol;
    this.row += drow;
    this.restrict();
  }

  private esc(b: number): void {
    this.state = State.Ground;
    if (b !== 0x5b) this.lastWidth = 0;
    switch (b) {
      case 0x5b: // [
        this.state = State.Csi;
        this.params.length = 0;
        this.param = -1;
        this.prefix = 0;
        this.intermediate = 0;
        return;
      case 0x5d: // ] OSC
      case 0x50: // P DCS
      case 0x58: // X SOS
      case 0x5e: // ^ PM
      case 0x5f: // _ APC
        this.state = State.String;
        return;
      case 0x37: // 7 DECSC
        return this.save();
      case 0x38: // 8 DECRC
        return this.restore();
      case 0x45: // E NEL
        this.col = 0;
        return this.index();
      case 0x44: // D IND
        return this.index();
      case 0x4d: // M RI
        this.restrict();
        if (this.row !== this.screen.top && this.row > 0) this.row--;
        return;
      case 0x63: // c RIS
        return this.reset();
    }
    if (b >= 0x20 && b <= 0x2f) this.state = State.EscIntermediate;
  }

  private index(): void {
    this.restrict();
    this.down1();
  }

  private csiByte(b: number): void {
    if (b < 0x20) return this.control(b); // C0 controls inside a sequence are executed
    if (b >= 0x30 && b <= 0x39) {
      this.param = Math.min(99_999, (this.param < 0 ? 0 : this.param * 10) + b - 0x30);
    } else if (b === 0x3b || b === 0x3a) {
      this.params.push(Math.max(0, this.param));
      this.param = -1;
    } else if (b >= 0x3c && b <= 0x3f) {
      this.prefix = b;
    } else if (b <= 0x2f) {
      this.intermediate = b;
    } else {
      this.state = State.Ground;
      if (b <= 0x7e) this.csi(b);
      this.lastWidth = 0;
    }
  }

  private csi(final: number): void {
    if (final === 0x6d) return; // SGR, by far the most common: colours do not move the cursor
    const ps = this.params;
    if (this.param >= 0 || ps.length > 0) ps.push(Math.max(0, this.param));
    if (this.prefix === 0x3f) {
      if (final === 0x68 || final === 0x6c) ps.forEach((mode) => this.decMode(mode, final === 0x68));
      return;
    }
    if (this.prefix) return;
    if (this.intermediate) {
      if (final === 0x70 && this.intermediate === 0x21 && ps.length === 0) this.softReset(); // DECSTR
      return; // other sequences with intermediates (cursor style, DECRQM …) do not move it
    }
    this.csiMove(String.fromCharCode(final), Math.max(1, ps[0] ?? 0), ps);
  }

  private csiMove(final: string, n: number, ps: number[]): void {
    const { top, bottom } = this.screen;
    switch (final) {
      case 'A': // CUU stops at the top margin (from inside the region)
        return this.moveCursor(0, -(this.row >= top ? Math.min(this.row - top, n) : n));
      case 'B': // CUD stops at the bottom margin
        return this.moveCursor(0, this.row <= bottom ? Math.min(bottom - this.row, n) : n);
      case 'C':
      case 'a':
        return this.moveCursor(n, 0);
      case 'D':
        return this.moveCursor(-n, 0);
      case 'e':
        return this.moveCursor(0, n);
      case 'E':
        this.csiMove('B', n, ps);
        this.col = 0;
        return;
      case 'F':
        this.csiMove('A', n, ps);
        this.col = 0;
        return;
      case 'G':
      case '`':
        this.col = n - 1;
        return this.restrict();
      case 'H':
      case 'f':
        return this.setCursor(Math.max(1, ps[1] ?? 0) - 1, n - 1);
      case 'd':
        return this.setCursor(this.col, n - 1);
      case 'r':
        return this.margins(ps[0] ?? 0, ps[1] ?? 0);
      case 's':
        return this.save();
      case 'u':
        return this.restore();
      case 'L':
      case 'M':
        this.restrict();
        if (this.row >= top && this.row <= bottom) this.col = 0;
        return;
      case 'b': // REP: the last character again
        for (let i = 0; i < Math.min(n, this.cols * this.rows) && this.lastWidth > 0; i++) this.print(this.lastWidth);
        return;
      case '@':
      case 'P':
      case 'X':
        return this.restrict();
    }
  }

  private margins(top: number, bottom: number): void {
    const t = Math.max(1, top);
    const b = bottom === 0 || bottom > this.rows ? this.rows : bottom;
    if (b <= t) return;
    this.screen.top = t - 1;
    this.screen.bottom = b - 1;
    this.setCursor(0, 0);
  }

  private decMode(mode: number, on: boolean): void {
    switch (mode) {
      case 6:
        this.origin = on;
        return this.setCursor(0, 0);
      case 7:
        this.autowrap = on;
        return;
      case 1048:
        return on ? this.save() : this.restore();
      case 1049:
        if (on) this.save();
        this.altScreen(on);
        if (!on) this.restore();
        return;
      case 47:
      case 1047:
        return this.altScreen(on);
    }
  }

  /** The cursor stays where it is; the alternate screen starts afresh (xterm.js clears it on leaving). */
  private altScreen(on: boolean): void {
    if (on === (this.screen === this.alternate)) return;
    if (!on) {
      this.alternate.top = 0;
      this.alternate.bottom = this.rows - 1;
    }
    this.screen = on ? this.alternate : this.normal;
  }

  private save(): void {
    this.screen.savedRow = this.row;
    this.screen.savedCol = this.col;
  }

  private restore(): void {
    this.row = this.screen.savedRow;
    this.col = this.screen.savedCol;
    this.restrict();
  }

  private softReset(): void {
    this.screen.top = 0;
    this.screen.bottom = this.rows - 1;
    this.screen.savedRow = 0;
    this.screen.savedCol = 0;
    this.origin = false;
    this.autowrap = true;
  }

  private reset(): void {
    this.softReset();
    this.altScreen(false);
    this.softReset();
    this.alternate.savedRow = this.alternate.savedCol = 0;
    this.row = 0;
    this.col = 0;
  }
}
