// Turns a worker's terminal text, chunk by chunk as it arrives, into candidate JSON objects.
// Chunks follow the terminal's reads, not lines, so a line may arrive in many pieces. The
// terminal writes "\r\n" for "\n", spinners redraw with "\r", and agents mix banners and colour
// with their JSON: such lines are skipped, never fatal.
import stripAnsi from 'strip-ansi';
import { isObject } from './json.js';
import type { JsonObject } from './types.js';

/** A longer line is not kept whole (bounded memory); it is dropped up to its newline. */
export const MAX_LINE_CHARS = 16 * 1024 * 1024;

export class JsonLines {
  private partial = '';
  private overlong = false;

  constructor(private readonly maxLineChars = MAX_LINE_CHARS) {}

  /** Feeds a chunk; returns the JSON objects on the lines it completed. */
  push(chunk: string): JsonObject[] {
    const out: JsonObject[] = [];
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
      const piece = chunk.slice(start, nl);
      if (!this.overlong && this.partial.length + piece.length <= this.maxLineChars) this.take(this.partial + piece, out);
      this.partial = '';
      this.overlong = false;
      start = nl + 1;
    }
    this.keep(chunk.slice(start));
    return out;
  }

  /** The output ended: a last line without its newline still counts. */
  end(): JsonObject[] {
    const out: JsonObject[] = [];
    if (!this.overlong && this.partial !== '') this.take(this.partial, out);
    this.partial = '';
    this.overlong = false;
    return out;
  }

  private keep(rest: string): void {
    if (this.overlong) return;
    if (this.partial.length + rest.length > this.maxLineChars) {
      this.partial = '';
      this.overlong = true;
      return;
    }
    this.partial += rest;
  }

  private take(line: string, out: JsonObject[]): void {
    const parsed = parseLine(line);
    if (parsed) out.push(parsed);
  }
}

/** How many "{" of a line are tried as the start of its JSON: a bound on the work per line. */
const MAX_STARTS = 8;

/**
 * The JSON object a terminal line shows, or undefined for anything else. The object may follow
 * other text on the same line: a CLI's stderr shares the terminal with its stdout, so a warning
 * printed without a newline glues onto the next event ("MCP issues detected…{"type":"init",…}").
 */
export function parseLine(line: string): JsonObject | undefined {
  // What is visible is what follows the last carriage return (a redrawn line), minus colour.
  let text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (text.includes('\x1b')) text = stripAnsi(text);
  const cr = text.lastIndexOf('\r');
  if (cr >= 0) text = text.slice(cr + 1);
  text = text.trim();
  if (!text.endsWith('}')) return undefined;
  let start = text.indexOf('{');
  for (let tries = 0; start >= 0 && tries < MAX_STARTS; tries++) {
    const value = parseObject(text.slice(start));
    if (value) return value;
    start = text.indexOf('{', start + 1);
  }
  return undefined;
}

function parseObject(text: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
