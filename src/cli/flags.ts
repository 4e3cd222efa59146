// Flag and argument types shared by the commands: durations and sizes as people type them,
// with a bad value reported as a usage error naming it (exit 2).
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { usageError } from '../errors.js';
import { shardFromEnv, type Shard } from '../tasks/shard.js';
import { parseDuration, parseSize } from '../units.js';

/** oclif reports errors thrown by a flag's parser as failures of that flag: make them usage errors. */
function unitFlag(parse: (text: string) => number) {
  return Flags.custom<number>({
    parse: async (input) => {
      try {
        return parse(input);
      } catch (err) {
        throw usageError((err as Error).message);
      }
    },
  });
}

/** 500ms, 2s, 1m → milliseconds. */
export const duration = unitFlag(parseDuration);

/** A duration that must be more than zero (--timeout 0 would stop every task at once). */
export const positiveDuration = unitFlag((text) => {
  const ms = parseDuration(text);
  if (ms <= 0) throw new Error(`expected a duration above 0, such as 90s or 10m, got "${text}"`);
  return ms;
});

/** 4096, 64KB, 1MiB → bytes. */
export const size = unitFlag(parseSize);

/** K/N, or auto / auto/N from the CI engine's variables (the errors are usage errors already). */
export const shard = Flags.custom<Shard>({ parse: async (input) => shardFromEnv(input, process.env) });

/** How help shows a default that is stored in ms (3000) but typed as a duration (3s). */
export const shownAs = (text: string) => async (): Promise<string> => text;

/** The frame stream a reading command takes. */
export const frameFileArg = Args.string({ required: true, description: 'A saved frame stream, or "-" for stdin.' });

/** The worker `relay attach` and `relay send` act on. */
export const workerTargetArg = Args.string({ required: true, description: 'WORKER (w3 or 3) or TASK (a running task\'s id).' });

/** Which live run `relay attach` and `relay send` act on. */
export const liveRunFlag = Flags.string({ char: 'r', description: 'The run (its id, or the start of it); optional with one live run.' });
