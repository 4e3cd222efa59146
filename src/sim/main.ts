#!/usr/bin/env node
// The simulated agent's own entry point: what `relay fanout` starts per worker, without oclif's
// start-up cost (`relay agent` runs the same code).
import { parseSimArgs } from './options.js';
import { runSim } from './run.js';

export async function simMain(argv: string[]): Promise<number> {
  let options;
  try {
    options = parseSimArgs(argv);
  } catch (err) {
    process.stderr.write(`relay agent: ${(err as Error).message}\n`);
    return 2;
  }
  return runSim(options, process.stdout);
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await simMain(process.argv.slice(2));
