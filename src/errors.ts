// One error family for the engine and the CLI. `code` is stable and machine-readable (its exit
// status is in src/exit-codes.ts); `option` and `value` name what the caller got wrong, in the
// library's own terms (`lowWaterMark`, not `--low-water-mark`: the CLI edge translates); `cause`
// keeps the error underneath (a parse error, a git failure, a file that could not be read).
export type RelayErrorCode =
  | 'USAGE' // bad options or flags, a bad input file
  | 'BAD_FRAME' // a line of a frame stream that is not a valid frame (names the line)
  | 'OUTPUT_CLOSED' // the frame reader went away (EPIPE)
  | 'OUTPUT_FAILED' // any other error writing frames
  | 'GIT' // git failed underneath a worktree step (its first line of stderr, the git error as cause)
  | 'UNSUPPORTED'; // relay cannot run workers here: an unsupported platform or node-pty version

export interface RelayErrorDetails {
  /** The option (a FanoutOptions field, or `lines.quietMs` for a nested one) whose value is wrong. */
  option?: string;
  /** The value it was given. */
  value?: unknown;
  cause?: unknown;
}

export class RelayError extends Error {
  readonly code: RelayErrorCode;
  readonly option: string | undefined;
  readonly value: unknown;
  /** The message without the option's name in front: what the CLI puts after `--flag:`. */
  readonly reason: string;
  /** With an `option`, the message is `option: reason`. */
  constructor(code: RelayErrorCode, reason: string, details: RelayErrorDetails = {}) {
    super(details.option === undefined ? reason : `${details.option}: ${reason}`, 'cause' in details ? { cause: details.cause } : undefined);
    this.name = 'RelayError';
    this.code = code;
    this.reason = reason;
    this.option = details.option;
    this.value = details.value;
  }
}

/** A usage error; with `details.option`, one about that option's value. */
export function usageError(reason: string, details?: RelayErrorDetails): RelayError {
  return new RelayError('USAGE', reason, details);
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
