#!/usr/bin/env node
// The simulated agent's own entry point: what `relay fanout` starts per worker, without oclif's
// start-up cost (`relay agent` runs the same code).
import { parseAgentArgs } from './options.js';
import { runAgent } from './run.js';

export async function agentMain(argv: string[]): Promise<number> {
  let options;
  try {
    options = parseAgentArgs(argv);
  } catch (err) {
    process.stderr.write(`relay agent: ${(err as Error).message}\n`);
    return 2;
  }
  return runAgent(options, process.stdout);
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await agentMain(process.argv.slice(2));
