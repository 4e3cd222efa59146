// Reads and checks one shard's frame file: every line a valid v1 frame, seq 1..n without gaps,
// run_started first, run_finished last. Errors name the file and the line: a FrameReadError
// (code BAD_FRAME, exit 2) with `file` and `line`, the reader's own error as its cause.
import { usageError } from '../errors.js';
import { openInput } from '../frames/input.js';
import type { Frame, RunFinished, RunStarted } from '../frames/types.js';
import { FrameReadError, readFrameLines } from '../frames/read.js';

export interface ShardFile {
  path: string;
  started: RunStarted;
  finished: RunFinished;
  frames: number;
}

/** Every frame of `path` with its line number, in order, each checked; throws at the first bad one, naming the file and line. */
export async function* numberedShardFrames(path: string): AsyncGenerator<{ frame: Frame; line: number }> {
  // A file named "-" is a file here: merge reads files only (each is read twice).
  const input = await openInput(path === '-' ? './-' : path);
  let readError: unknown;
  input.once('error', (err) => (readError = err));
  let count = 0;
  try {
    for await (const numbered of readFrameLines(input, { unknownTypes: 'error' })) {
      count += 1;
      const { frame, line } = numbered;
      if (frame.seq !== count) throw new FrameReadError(line, `seq ${frame.seq}, expected ${count} (lines lost or reordered)`, false, { file: path });
      yield numbered;
    }
  } catch (err) {
    if (err instanceof FrameReadError && err.file === undefined) throw err.inFile(path);
    if (err === readError) throw usageError(`${path}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
    throw err;
  }
}
/** Every frame of `path`, in order, each checked (see numberedShardFrames). */
export async function* shardFrames(path: string): AsyncGenerator<Frame> {
  for await (const { frame } of numberedShardFrames(path)) yield frame;
}

/** Reads `path` through once, checking its shape; returns what the merge needs of it. */
export async function checkShardFile(path: string): Promise<ShardFile> {
  let started: RunStarted | undefined;
  let finished: RunFinished | undefined;
  let frames = 0;
  let last = 0;
  const bad = (line: number, problem: string) => new FrameReadError(line, problem, false, { file: path });
  for await (const { frame, line } of numberedShardFrames(path)) {
    frames += 1;
    last = line;
    if (finished) throw bad(line, `${frame.type} after run_finished`);
    if (frames === 1 && frame.type !== 'run_started') throw bad(line, `expected run_started first, got ${frame.type}`);
    if (frames > 1 && frame.type === 'run_started') throw bad(line, 'a second run_started (one run per file)');
    if (frame.type === 'run_started') started = frame;
    if (frame.type === 'run_finished') finished = frame;
  }
  if (!started) throw usageError(`${path}: empty, expected a frame stream`);
  if (!finished) throw bad(last, 'no run_finished: the run did not finish (or the file is cut short)');
  return { path, started, finished, frames };
}
