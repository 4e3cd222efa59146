import { createWriteStream, openSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { usageError } from '../errors.js';

export interface FrameDestination {
  /** Where frames go, or null when they are not written (stdout is a terminal). */
  stream: Writable | null;
  /** What errors call it: `stdout`, or the file's path. */
  name: string;
  /** True for files: the writer ends them. */
  isFile: boolean;
  /** Frames go to the terminal that also shows progress: live redraws would garble them. */
  sharesTerminal: boolean;
  /** A one-line notice for stderr, if any. */
  notice?: string;
}

/**
 * Chooses where frames go. `--output FILE` opens the file now, so an unwritable path is a usage
 * error before anything starts. Without it, frames go to stdout, except when stdout is a
 * terminal: a person is reading that screen, so relay shows live progress there and skips the
 * frames unless asked with `--output -`.
 */
export function openDestination(output: string | undefined, stdout: NodeJS.WriteStream): FrameDestination {
  if (output !== undefined && output !== '-') {
    let fd: number;
    try {
      fd = openSync(output, 'w');
    } catch (err) {
      throw usageError(`--output: cannot write ${output}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    return { stream: createWriteStream('', { fd }), name: output, isFile: true, sharesTerminal: false };
  }
  if (stdout.isTTY && output !== '-') {
    return {
      stream: null,
      name: 'stdout',
      isFile: false,
      sharesTerminal: false,
      notice: 'stdout is a terminal: frames are not shown (pipe into jq, use --output FILE, or --output - to show them)',
    };
  }
  return { stream: stdout, name: 'stdout', isFile: false, sharesTerminal: Boolean(stdout.isTTY) };
}
