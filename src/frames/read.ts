// Reading a frame stream back: NDJSON lines, each checked against the frame schemas (the same
// ones the engine's types come from). Errors name the line, so a broken file is easy to fix.
import type { Readable } from 'node:stream';
import { RelayError } from '../errors.js';
import { PROTOCOL_VERSION, type Frame } from './types.js';
import { frameError, isKnownFrameType } from './validate.js';

export interface ReadFramesOptions {
  /**
   * Frames of a type this version does not know. 'skip' (default) follows the versioning rule:
   * newer relays may add frame types within v1, and readers ignore them. 'error' rejects them.
   */
  unknownTypes?: 'skip' | 'error';
}

/**
 * A line that is not a valid frame. `line` is 1-based; `truncated` marks a last line cut off
 * without its newline; `file`, when the reader knows it, is named first in the message.
 */
export class FrameReadError extends RelayError {
  readonly line: number;
  readonly truncated: boolean;
  readonly file: string | undefined;
  /** What is wrong with the line, without file and line number. */
  readonly problem: string;
  constructor(line: number, problem: string, truncated: boolean, options: { cause?: unknown; file?: string } = {}) {
    super('BAD_FRAME', `${options.file === undefined ? '' : `${options.file} `}line ${line}: ${problem}`, 'cause' in options ? { cause: options.cause } : {});
    this.name = 'FrameReadError';
    this.line = line;
    this.truncated = truncated;
    this.file = options.file;
    this.problem = problem;
  }

  /** The same error, naming the file it came from (the original as its cause). */
  inFile(file: string): FrameReadError {
    return new FrameReadError(this.line, this.problem, this.truncated, { cause: this, file });
  }
}

/** Why `value` is not a valid frame, 'unknown' for a frame type to skip, or undefined when it is one. */
function problem(value: unknown, unknownTypes: 'skip' | 'error'): string | 'unknown' | undefined {
  const { v, type } = (value ?? {}) as { v?: unknown; type?: unknown };
  // A newer relay may add frame types within v1; readers skip them (docs/frames.md, Versioning).
  if (unknownTypes === 'skip' && v === PROTOCOL_VERSION && typeof type === 'string' && !isKnownFrameType(type)) return 'unknown';
  return frameError(value);
}

/** Checks one parsed frame; throws a FrameReadError naming `line`. Returns null for a skipped unknown type. */
export function validateFrame(value: unknown, line = 1, options: ReadFramesOptions = {}): Frame | null {
  const why = problem(value, options.unknownTypes ?? 'skip');
  if (why === 'unknown') return null;
  if (why !== undefined) throw new FrameReadError(line, why, false);
  return value as Frame;
}

/**
 * The longest frame line read, in bytes. relay's own frames stay far below it (a worker_stream
 * carries one chunk of terminal output, a worker_line at most 4096 characters); a longer line is
 * refused before it is held in memory, so a crafted file cannot make a reader allocate at will.
 */
export const MAX_FRAME_LINE_BYTES = 16 * 1024 * 1024;

/** Strict: a frame stream is UTF-8 (a byte that is not is an error naming the line, not a U+FFFD). */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A short, printable excerpt of a bad line for an error message (escapes control characters). */
function excerpt(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

function parseLine(bytes: Uint8Array, line: number, atEnd: boolean, options: ReadFramesOptions): Frame | null {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch (err) {
    // A stream cut off mid-character ends in half a UTF-8 sequence: that is a cut-off last line.
    if (atEnd) throw new FrameReadError(line, 'the stream ends in the middle of a frame (truncated last line)', true, { cause: err });
    throw new FrameReadError(line, 'not valid UTF-8', false, { cause: err });
  }
  if (text.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // A last line without its newline that does not parse is a stream cut off mid-frame.
    const why = atEnd ? 'the stream ends in the middle of a frame (truncated last line)' : `not JSON: ${excerpt(text)}`;
    throw new FrameReadError(line, why, atEnd, { cause: err });
  }
  return validateFrame(value, line, options);
}

function tooLong(line: number): FrameReadError {
  return new FrameReadError(line, `longer than ${MAX_FRAME_LINE_BYTES / 1024 / 1024} MiB, relay's limit for one frame line`, false);
}

/** One line of the stream as bytes (without "\n" and a "\r" before it) and its 1-based number. */
interface RawLine {
  bytes: Uint8Array;
  line: number;
  /** The last line, not ended by a newline. */
  atEnd: boolean;
}

/**
 * Splits bytes into lines in linear time: each chunk is searched once, and a line spanning
 * chunks is joined once, when its newline arrives (never by growing a string per chunk).
 */
async function* rawLines(readable: Readable | AsyncIterable<Buffer | string>): AsyncGenerator<RawLine> {
  let parts: Buffer[] = [];
  let held = 0;
  let line = 0;
  const take = (last: Buffer): Buffer => {
    const whole = parts.length === 0 ? last : Buffer.concat([...parts, last]);
    parts = [];
    held = 0;
    return whole;
  };
  for await (const chunk of readable) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10, start)) {
      line += 1;
      if (held + nl - start > MAX_FRAME_LINE_BYTES) throw tooLong(line);
      const bytes = take(buf.subarray(start, nl));
      start = nl + 1;
      yield { bytes: bytes.at(-1) === 13 ? bytes.subarray(0, -1) : bytes, line, atEnd: false };
    }
    if (start < buf.length) {
      held += buf.length - start;
      if (held > MAX_FRAME_LINE_BYTES) throw tooLong(line + 1);
      parts.push(buf.subarray(start));
    }
  }
  if (held > 0) yield { bytes: take(Buffer.alloc(0)), line: line + 1, atEnd: true };
}

/**
 * Parses NDJSON frames from `readable`, validating each against the schema. Throws a
 * FrameReadError (code BAD_FRAME) naming the line of the first malformed one, after yielding
 * every frame before it; a last line cut off mid-frame has `truncated` set, so readers of a
 * stream that was cut off can keep what came before. Empty lines are ignored. A line over
 * MAX_FRAME_LINE_BYTES is an error; memory stays within about that, whatever the input.
 */
export async function* readFrames(readable: Readable | AsyncIterable<Buffer | string>, options: ReadFramesOptions = {}): AsyncGenerator<Frame> {
  for await (const { frame } of readFrameLines(readable, options)) yield frame;
}

/** readFrames, with each frame's line number. */
export async function* readFrameLines(readable: Readable | AsyncIterable<Buffer | string>, options: ReadFramesOptions = {}): AsyncGenerator<{ frame: Frame; line: number }> {
  for await (const { bytes, line, atEnd } of rawLines(readable)) {
    const frame = parseLine(bytes, line, atEnd, options);
    if (frame) yield { frame, line };
  }
}
