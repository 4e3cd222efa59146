// One error family for the engine and the CLI. `code` is stable and machine-readable;
// the message names the option and the value that was wrong.
export type RelayErrorCode =
  | 'USAGE' // bad options or flags: exit 2
  | 'OUTPUT_CLOSED' // the frame reader went away (EPIPE): exit 141
  | 'OUTPUT_FAILED' // any other error writing frames: exit 74
  | 'BAD_FRAME'; // a line of a frame stream that is not a valid frame (names the line): exit 2

export class RelayError extends Error {
  readonly code: RelayErrorCode;
  constructor(code: RelayErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RelayError';
    this.code = code;
  }
}

export function usageError(message: string): RelayError {
  return new RelayError('USAGE', message);
}

/**
 * Maps a destination's write error onto the family: EPIPE and friends mean the reader left. The
 * message names the destination (`stdout`, or the file) and the cause (its errno), in one line.
 */
export function outputError(err: unknown, destination = 'the output'): RelayError {
  if (err instanceof RelayError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EPIPE' || code === 'ECONNRESET' || code === 'ERR_STREAM_DESTROYED' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
    return new RelayError('OUTPUT_CLOSED', `${destination}: the reader closed its end (${code})`, { cause: err });
  }
  const detail = err instanceof Error ? err.message : String(err);
  return new RelayError('OUTPUT_FAILED', `cannot write to ${destination}: ${detail}`, { cause: err });
}
