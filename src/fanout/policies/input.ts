import type { AttemptWatcher } from './types.js';

/**
 * --input / --input-file: typed into the attempt's terminal as soon as it has started. The
 * terminal keeps it until the program reads, so it does not matter whether the program is ready.
 */
export function input(data: string | Buffer): AttemptWatcher {
  return ({ attempt }) => {
    attempt.write(data);
    return () => {};
  };
}
