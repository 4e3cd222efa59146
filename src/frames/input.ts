// A saved frame stream as input for replay and summary: FILE, or stdin for "-". Frames are
// handed over one by one (files of many megabytes need not fit in memory). A stream cut off
// mid-run is not an error — that is when people most need to look — but earns a warning.
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { usageError } from '../errors.js';
import { FrameReadError, readFrames } from './read.js';
import type { Frame } from './types.js';

export interface InputReport {
  /** Line number of a last line cut off mid-frame, if any. */
  truncatedAt: number | null;
  /** Whether a run_finished frame was seen. */
  finished: boolean;
  frames: number;
}

export async function openInput(file: string, stdin: Readable & { isTTY?: boolean } = process.stdin): Promise<Readable> {
  if (file === '-') {
    if (stdin.isTTY) throw usageError('FILE is "-" but stdin is a terminal: pipe a frame stream in, or give a file');
    return stdin;
  }
  try {
    await access(file);
  } catch (err) {
    throw usageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return createReadStream(file);
}

/** Feeds every frame of `input` to `onFrame`, in order; a malformed line (other than a cut-off last one) throws BAD_FRAME. */
export async function eachFrame(input: Readable, onFrame: (frame: Frame) => void | Promise<void>): Promise<InputReport> {
  const report: InputReport = { truncatedAt: null, finished: false, frames: 0 };
  try {
    for await (const frame of readFrames(input)) {
      report.frames += 1;
      if (frame.type === 'run_finished') report.finished = true;
      await onFrame(frame);
    }
  } catch (err) {
    if (!(err instanceof FrameReadError && err.truncated)) throw err;
    report.truncatedAt = err.line;
  }
  return report;
}

/** The one-line warning for a stream that was cut off, or undefined for a complete one. */
export function cutOffWarning(file: string, report: InputReport): string | undefined {
  const name = file === '-' ? 'stdin' : file;
  if (report.truncatedAt !== null) return `warning: ${name} is cut off mid-frame at line ${report.truncatedAt}; showing what came before`;
  if (!report.finished) return `warning: ${name} has no run_finished frame (the run was cut off); showing what was recorded`;
  return undefined;
}
