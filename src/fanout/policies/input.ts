import type { AttemptWatcher } from './types.js';

/** ^D: end of file to a terminal in canonical (line-editing) mode, at the start of a line. */
const EOF = 0x04;

/**
 * --input / --input-file: typed into the attempt's terminal as soon as it has started. The
 * terminal keeps it until the program reads, so it does not matter whether the program is ready.
 * With --input-eof, ^D follows: a ^D after a partial line only hands that line over (without a
 * newline), so then a second one is needed for the end of file.
 */
export function input(data: string | Buffer, eof: boolean): AttemptWatcher {
  const bytes = Buffer.from(data);
  const typed = eof ? Buffer.concat([bytes, Buffer.from(endsLine(bytes) ? [EOF] : [EOF, EOF])]) : bytes;
  return ({ attempt }) => {
    attempt.write(typed);
    return () => {};
  };
}

function endsLine(bytes: Buffer): boolean {
  const last = bytes.at(-1);
  return last === undefined || last === 0x0a || last === 0x0d;
}
