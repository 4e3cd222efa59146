import { fileURLToPath } from 'node:url';

/** The built-in simulated agent as a command, started with the same Node that runs relay. */
export function simCommand(args: readonly string[] = []): string[] {
  // The compiled simulator beside the compiled engine (dist/sim/main.js): no oclif start-up per worker.
  return [process.execPath, fileURLToPath(new URL('./main.js', import.meta.url)), ...args];
}
