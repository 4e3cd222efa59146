// Reading a frame stream back: NDJSON lines, each checked against the frame schemas (the same
// ones the engine's types come from). Errors name the line, so a broken file is easy to fix.
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
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

function parseLine(text: string, line: number, atEnd: boolean, options: ReadFramesOptions): Frame | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // A last line without its newline that does not parse is a stream cut off mid-frame.
    const why = atEnd ? 'the stream ends in the middle of a frame (truncated last line)' : `not JSON: ${text.slice(0, 80)}`;
    throw new FrameReadError(line, why, atEnd, { cause: err });
  }
  return validateFrame(value, line, options);
}

/**
 * Parses NDJSON frames from `readable`, validating each against the schema. Throws a
 * FrameReadError (code BAD_FRAME) naming the line of the first malformed one, after yielding
 * every frame before it; a last line cut off mid-frame has `truncated` set, so readers of a
 * stream that was cut off can keep what came before. Empty lines are ignored.
 */
export async function* readFrames(readable: Readable | AsyncIterable<Buffer | string>, options: ReadFramesOptions = {}): AsyncGenerator<Frame> {
  for await (const { frame } of readNumberedFrames(readable, options)) yield frame;
}

/** readFrames, with each frame's 1-based line number (blank lines count), for errors about a frame's place in the stream. */
export async function* readNumberedFrames(readable: Readable | AsyncIterable<Buffer | string>, options: ReadFramesOptions = {}): AsyncGenerator<{ frame: Frame; line: number }> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let line = 0;
  for await (const chunk of readable) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let start = 0;
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n', start)) {
      line += 1;
      const text = pending.slice(start, nl).replace(/\r$/, '');
      start = nl + 1;
      if (text.trim() === '') continue;
      const frame = parseLine(text, line, false, options);
      if (frame) yield { frame, line };
    }
    pending = pending.slice(start);
  }
  pending += decoder.end();
  if (pending.trim() === '') return;
  const frame = parseLine(pending, line + 1, true, options);
  if (frame) yield { frame, line: line + 1 };
}
