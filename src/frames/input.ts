// A saved frame stream as input for replay and summary: FILE, or stdin for "-". Frames are
// handed over one by one (files of many megabytes need not fit in memory). A stream cut off
// mid-run is not an error — that is when people most need to look — but earns a warning.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { RelayError, usageError } from '../errors.js';
import { FrameReadError, readFrameLines } from './read.js';
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
  const handle = await open(file, 'r').catch((err: NodeJS.ErrnoException) => {
    throw usageError(`cannot read ${file}: ${err.code ?? err.message}`);
  });
  // A directory opens fine and fails only on the first read: say so up front, by name.
  if ((await handle.stat()).isDirectory()) {
    await handle.close();
    throw usageError(`${file}: is a directory, expected a frame file`);
  }
  // The stream holds the FileHandle itself (a bare fd would let the handle be collected, closing it).
  return createReadStream('', { fd: handle, autoClose: true });
}

/** "stdin" for "-", else the file's name: what messages call the input. */
export function inputName(file: string): string {
  return file === '-' ? 'stdin' : file;
}

/**
 * Feeds every frame of `input` to `onFrame`, in order. A malformed line (other than a cut-off
 * last one), a read error, or a `seq` not above the previous frame's (frames duplicated,
 * reordered, or two runs in one file) throws, naming `name` and the line: exit 2. Gaps in
 * `seq` are fine: a stream filtered with jq or grep is still one run's frames in order. A stream
 * without a single frame is an error too.
 */
export async function eachFrame(input: Readable, onFrame: (frame: Frame) => void | Promise<void>, name = 'input'): Promise<InputReport> {
  const report: InputReport = { truncatedAt: null, finished: false, frames: 0 };
  let lastSeq = 0;
  // An error of the input itself (EISDIR, EIO…), as opposed to one of what frames are fed to.
  let readError: unknown;
  input.once('error', (err) => (readError = err));
  try {
    for await (const { frame, line } of readFrameLines(input)) {
      if (frame.seq <= lastSeq) throw new RelayError('BAD_FRAME', `${name} line ${line}: seq ${frame.seq} after seq ${lastSeq}: frames duplicated or out of order (one run's frames, in the order relay wrote them)`);
      lastSeq = frame.seq;
      report.frames += 1;
      if (frame.type === 'run_finished') report.finished = true;
      await onFrame(frame);
    }
  } catch (err) {
    if (err instanceof FrameReadError && err.truncated) report.truncatedAt = err.line;
    else if (err instanceof FrameReadError) throw new RelayError('BAD_FRAME', `${name} ${err.message}`, { cause: err });
    else if (err === readError) throw usageError(`cannot read ${name}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    else throw err;
  }
  // Nothing to show is not a cut-off run but no run at all (an empty file, a failed producer).
  if (report.frames === 0) throw usageError(`${name}: no frames${report.truncatedAt !== null ? ' (cut off in the middle of the first one)' : ''}: expected a frame stream (relay fanout --output FILE)`);
  return report;
}

/** The one-line warning for a stream that was cut off, or undefined for a complete one. */
export function cutOffWarning(file: string, report: InputReport): string | undefined {
  const name = inputName(file);
  if (report.truncatedAt !== null) return `warning: ${name} is cut off mid-frame at line ${report.truncatedAt}; showing what came before`;
  if (!report.finished) return `warning: ${name} has no run_finished frame (the run was cut off); showing what was recorded`;
  return undefined;
}
