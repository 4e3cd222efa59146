import * as Args from '@oclif/core/args';
import { Command } from '@oclif/core/command';
import * as Flags from '@oclif/core/flags';
import type { Interfaces } from '@oclif/core';
import { AGENT_FLAGS } from '../sim/options.js';

/**
 * The simulated agent's options as oclif flags, for the help only (oclif then aligns and wraps
 * them to the terminal): the agent parses its own argv, so these are never parsed here.
 */
function helpFlags(): Interfaces.FlagInput {
  const flags: Interfaces.FlagInput = {};
  for (const [spec, description] of AGENT_FLAGS) {
    const [name, value] = spec.replace(/^--/, '').split(' ');
    if (spec.startsWith('--')) flags[name!] = value ? Flags.string({ description, helpValue: value }) : Flags.boolean({ description });
  }
  return flags;
}

const prompt = AGENT_FLAGS.find(([spec]) => spec === 'PROMPT...')![1];

export default class Agent extends Command {
  static override strict = false;
  static override summary = 'The built-in simulated agent (what fanout runs when given no command).';
  static override description = `Behaves like an AI coding agent on a terminal: banner, spinner, streamed text, tool calls, a summary. Deterministic for a seed; its flags shape the load for tests and benchmarks.`;
  static override flags = helpFlags();
  static override args = { prompt: Args.string({ description: prompt }) };
  static override usage = 'agent [FLAGS] [PROMPT...]';

  async run(): Promise<void> {
    const { simMain } = await import('../sim/main.js');
    process.exitCode = await simMain(this.argv);
  }
}
