// The redrawn block of rows at the bottom of a terminal. Its size is read from the terminal the
// rows are drawn on (stderr), at every draw: never from stdout, which is usually a pipe. Each
// line is cut to the width by display width (wide characters, ANSI kept), and the block to the
// height, so the terminal never wraps or scrolls it: a wrapped or scrolled-off line could not be
// erased, and would be left behind as a duplicate row.
import ansiEscapes from 'ansi-escapes';
import cliTruncate from 'cli-truncate';
import stringWidth from 'string-width';

export interface TerminalSize {
  readonly columns: number;
  readonly rows: number;
}

/** One line cut to `width` columns, "…" marking the cut. */
export function fit(line: string, width: number): string {
  return stringWidth(line) <= width ? line : cliTruncate(line, Math.max(1, width), { position: 'end' });
}

export class LiveArea {
  /** Display widths of the lines on screen now. */
  private drawn: number[] = [];
  private previous = '';
  private previousColumns = 0;

  constructor(
    private readonly write: (text: string) => void,
    private readonly size: () => TerminalSize,
  ) {}

  /** Replaces the block with `text`, fitted to the terminal's size now. */
  draw(text: string): void {
    const { columns, rows } = this.size();
    if (text === this.previous && columns === this.previousColumns) return;
    // The cursor line below the block stays on screen too.
    const lines = text.split('\n').slice(0, Math.max(1, rows - 1)).map((l) => fit(l, columns));
    this.write(this.erase(columns) + lines.map((l) => `${l}\n`).join(''));
    this.drawn = lines.map((l) => stringWidth(l));
    this.previous = text;
    this.previousColumns = columns;
  }

  /** Erases the block, leaving the cursor where it began. */
  clear(): void {
    this.write(this.erase(this.size().columns));
    this.drawn = [];
    this.previous = '';
  }

  /**
   * The escape that erases the block. After a narrowing resize a terminal that reflows (xterm,
   * tmux, VTE…) has wrapped each line that no longer fits onto more rows: count them.
   */
  private erase(columns: number): string {
    const rows = this.drawn.reduce((n, w) => n + Math.max(1, Math.ceil(w / columns)), 0);
    return rows > 0 ? ansiEscapes.eraseLines(rows + 1) : '';
  }
}
