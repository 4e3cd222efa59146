import { Flags } from '@oclif/core';
import { usageError } from '../errors.js';
import { parseDuration } from '../units.js';

/** A duration flag (500ms, 2s, 1m); a bad value is a usage error naming it. */
export const durationFlag = Flags.custom<number>({
  parse: async (input) => {
    try {
      return parseDuration(input);
    } catch (err) {
      throw usageError((err as Error).message);
    }
  },
});
