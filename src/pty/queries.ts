// Answers the queries a program sends its terminal, as xterm would (TERM is xterm-256color): TUIs
// (crossterm/ratatui, …) ask for the cursor position, device attributes or colours at start-up
// and wait for the answer, so a terminal that never answers hangs them.
//
// Cost: every chunk is searched for ESC (memchr); only the bytes after each ESC are looked at.
// The cursor (src/pty/cursor.ts) is followed only from a worker's first cursor query on: until
// then the last TAIL_BYTES of its output are kept (references to its chunks), and that query
// replays them into the tracker. A program that asks after printing more than that gets the
// position that tail leads to: exact whenever the tail reaches back to a full screen of lines or
// to the last absolute cursor move, which is what a scrolling program or a full-screen TUI
// produces.
import { VERSION } from '../version.js';
import { CursorTracker } from './cursor.js';

/** Output kept for the first query's cursor position. */
const TAIL_BYTES = 16 * 1024;
/** A started sequence is carried into the next chunk up to this length, and dropped beyond. */
const MAX_PENDING = 256;

const ESC = 0x1b;
const BEL = 0x07;
const ST = '\x1b\\';

/** xterm.js's default theme: white on black. OSC 10 foreground, 11 background, 12 cursor. */
const COLOURS: Record<number, string> = { 10: 'rgb:ffff/ffff/ffff', 11: 'rgb:0000/0000/0000', 12: 'rgb:ffff/ffff/ffff' };

export class TerminalQueries {
  private cursor: CursorTracker | undefined;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  /** Whether older output was let go: the tail then starts in the middle of a line. */
  private tailCut = false;
  private pending: Buffer | undefined;

  constructor(
    private cols: number,
    private rows: number,
  ) {}

  resize(cols: number, rows: number): void {
    this.cols = cols;
    this.rows = rows;
    this.cursor?.resize(cols, rows);
  }

  /** Takes the next chunk of output; returns what the terminal answers to it ('' for nothing). */
  feed(chunk: Buffer): string {
    const start = this.pending?.length ?? 0;
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    let at = buf.indexOf(ESC);
    if (at < 0) {
      this.follow(chunk);
      return '';
    }
    let replies = '';
    let fed = start; // bytes of buf the cursor tracker has seen (what was pending it saw before)
    while (at >= 0) {
      const seq = parseAt(buf, at);
      if (seq === 'incomplete') {
        if (buf.length - at <= MAX_PENDING) this.pending = Buffer.from(buf.subarray(at));
        break;
      }
      if (seq.reply === cursorPosition || seq.reply === extendedCursorPosition) {
        // The tracker must have seen everything up to the query, and nothing after it.
        this.cursor ??= this.startCursor();
        this.cursor.write(buf, fed, seq.end);
        fed = seq.end;
      }
      if (seq.reply) replies += seq.reply(this);
      at = nextEsc(buf, Math.max(at + 1, seq.end));
    }
    if (this.cursor) this.cursor.write(buf, fed);
    else this.keepTail(chunk);
    return replies;
  }

  /** 1-based cursor position now. */
  get position(): { row: number; col: number } {
    return this.cursor?.position ?? { row: 1, col: 1 };
  }

  get size(): { cols: number; rows: number } {
    return { cols: this.cols, rows: this.rows };
  }

  private follow(chunk: Buffer): void {
    if (this.cursor) this.cursor.write(chunk);
    else this.keepTail(chunk);
  }

  private keepTail(chunk: Buffer): void {
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    while (this.tail.length > 1 && this.tailBytes - this.tail[0]!.length >= TAIL_BYTES) {
      this.tailBytes -= this.tail.shift()!.length;
      this.tailCut = true;
    }
  }

  /** The first cursor query: from now on the cursor is followed, starting from the kept tail. */
  private startCursor(): CursorTracker {
    const cursor = new CursorTracker(this.cols, this.rows);
    const tail = Buffer.concat(this.tail);
    // Start at a line boundary when the tail was cut, so that the part line does not shift columns.
    const from = this.tailCut ? tail.indexOf(0x0a) + 1 : 0;
    cursor.write(tail, from);
    this.tail = [];
    this.tailBytes = 0;
    return cursor;
  }
}

/** The next ESC from `from` on: a few bytes looked at first, as sequences often come close together (colours). */
function nextEsc(buf: Buffer, from: number): number {
  const near = Math.min(buf.length, from + 48);
  for (let i = from; i < near; i++) if (buf[i] === ESC) return i;
  return near < buf.length ? buf.indexOf(ESC, near) : -1;
}

type Reply = (t: TerminalQueries) => string;
type Parsed = 'incomplete' | { end: number; reply?: Reply | undefined };

/** The escape sequence starting at buf[at] (an ESC): where it ends, and its answer if it is a query. */
function parseAt(buf: Buffer, at: number): Parsed {
  if (at + 1 >= buf.length) return 'incomplete';
  const kind = buf[at + 1];
  if (kind === 0x5b) return parseCsi(buf, at + 2);
  if (kind === 0x5d) return parseOsc(buf, at + 2);
  return { end: at + 2 };
}

/** n c u t q p: the final bytes of the CSI queries answered here. */
const QUERY_FINALS = new Set([0x6e, 0x63, 0x75, 0x74, 0x71, 0x70]);

function parseCsi(buf: Buffer, from: number): Parsed {
  for (let i = from; i < buf.length; i++) {
    const b = buf[i]!;
    if (b >= 0x40 && b <= 0x7e) {
      // Most sequences are colours (m) and moves: only the finals of queries are worth a look.
      if (!QUERY_FINALS.has(b)) return { end: i + 1 };
      return { end: i + 1, reply: csiReply(buf.toString('latin1', from, i), String.fromCharCode(b)) };
    }
    if (b < 0x20 || b > 0x7e) return { end: i }; // cancelled, or not a sequence after all
  }
  return 'incomplete';
}

const cursorPosition: Reply = (t) => `\x1b[${t.position.row};${t.position.col}R`;
/** DECXCPR: with the page, as xterm (a VT420) reports it. */
const extendedCursorPosition: Reply = (t) => `\x1b[?${t.position.row};${t.position.col};1R`;

function csiReply(params: string, final: string): Reply | undefined {
  switch (`${params}${final}`) {
    case '6n':
      return cursorPosition;
    case '?6n':
      return extendedCursorPosition;
    case '5n':
      return () => '\x1b[0n';
    case 'c':
    case '0c':
      return () => '\x1b[?1;2c';
    case '>c':
    case '>0c':
      return () => '\x1b[>0;276;0c';
    case '?u':
      return () => '\x1b[?0u';
    case '18t':
      return (t) => `\x1b[8;${t.size.rows};${t.size.cols}t`;
    case '19t':
      return (t) => `\x1b[9;${t.size.rows};${t.size.cols}t`;
    case '>q':
    case '>0q':
      return () => `\x1bP>|relay(${VERSION})${ST}`;
  }
  // DECRQM, ANSI and DEC modes: "not recognised", which programs read as "not supported".
  const mode = final === 'p' ? /^(\??)(\d+)\$$/.exec(params) : null;
  if (mode) return () => `\x1b[${mode[1]}${mode[2]};0$y`;
  return undefined;
}

const COLOUR_QUERIES = ['10;', '11;', '12;'];

/** OSC 10/11/12 with `?`: colour queries, answered with the same terminator (BEL or ST). */
function parseOsc(buf: Buffer, from: number): Parsed {
  // Only the start is needed to tell whether it is a colour query; anything else is skipped.
  const head = buf.toString('latin1', from, Math.min(buf.length, from + 3));
  if (!COLOUR_QUERIES.some((q) => q.startsWith(head))) return { end: from };
  if (head.length < 3) return 'incomplete';
  for (let i = from + 3; i < buf.length; i++) {
    const b = buf[i]!;
    if (b === BEL || (b === ESC && i + 1 < buf.length && buf[i + 1] === 0x5c)) {
      const end = b === BEL ? i + 1 : i + 2;
      return { end, reply: oscReply(buf.toString('latin1', from, i), b === BEL ? '\x07' : ST) };
    }
    if (b === ESC && i + 1 >= buf.length) return 'incomplete';
    if (b < 0x20) return { end: i };
  }
  return 'incomplete';
}

function oscReply(body: string, terminator: string): Reply | undefined {
  // "10;?;?" asks for 10 and then 11: each further parameter is the next colour.
  const [first, ...rest] = body.split(';');
  const replies: string[] = [];
  rest.forEach((p, i) => {
    const colour = COLOURS[Number(first) + i];
    if (p === '?' && colour) replies.push(`\x1b]${Number(first) + i};${colour}${terminator}`);
  });
  return replies.length > 0 ? () => replies.join('') : undefined;
}
