// Reads and checks one shard's frame file: every line a valid v1 frame, seq 1..n without gaps,
// run_started first, run_finished last. Errors name the file and the line.
import { openInput } from '../frames/input.js';
import { usageError } from '../errors.js';
import type { Frame, RunFinished, RunStarted } from '../frames/types.js';
import { FrameReadError, readFrames } from '../frames/read.js';

export interface ShardFile {
  path: string;
  started: RunStarted;
  finished: RunFinished;
  frames: number;
}

/** Every frame of `path`, in order, each checked; throws a usage error naming the file and line at the first bad one. */
export async function* shardFrames(path: string): AsyncGenerator<Frame> {
  // A file named "-" is a file here: merge reads files only (each is read twice).
  const input = await openInput(path === '-' ? './-' : path);
  let readError: unknown;
  input.once('error', (err) => (readError = err));
  let count = 0;
  try {
    for await (const frame of readFrames(input, { unknownTypes: 'error' })) {
      count += 1;
      if (frame.seq !== count) throw usageError(`${path} frame ${count}: seq ${frame.seq}, expected ${count} (lines lost or reordered)`);
      yield frame;
    }
  } catch (err) {
    if (err instanceof FrameReadError) throw usageError(`${path} ${err.message}`);
    if (err === readError) throw usageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    throw err;
  }
}

/** Reads `path` through once, checking its shape; returns what the merge needs of it. */
export async function checkShardFile(path: string): Promise<ShardFile> {
  let started: RunStarted | undefined;
  let finished: RunFinished | undefined;
  let frames = 0;
  for await (const frame of shardFrames(path)) {
    frames += 1;
    const where = `${path} line ${frames}`;
    if (finished) throw usageError(`${where}: ${frame.type} after run_finished`);
    if (frames === 1 && frame.type !== 'run_started') throw usageError(`${where}: expected run_started first, got ${frame.type}`);
    if (frames > 1 && frame.type === 'run_started') throw usageError(`${where}: a second run_started (one run per file)`);
    if (frame.type === 'run_started') started = frame;
    if (frame.type === 'run_finished') finished = frame;
  }
  if (!started) throw usageError(`${path}: empty, expected a frame stream`);
  if (!finished) throw usageError(`${path} line ${frames}: no run_finished: the run did not finish (or the file is cut short)`);
  return { path, started, finished, frames };
}
