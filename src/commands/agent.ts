import { Command } from '@oclif/core';
import { agentHelp } from '../agent/options.js';

export default class Agent extends Command {
  static override hidden = true;
  static override strict = false;
  static override summary = 'The built-in simulated agent (what fanout runs when given no command).';
  static override description = `Behaves like an AI coding agent on a terminal: banner, spinner, streamed text, tool calls,
a summary. Deterministic for a seed; its flags shape the load for tests and benchmarks.

Flags:
${agentHelp()}`;

  async run(): Promise<void> {
    const { agentMain } = await import('../agent/main.js');
    process.exitCode = await agentMain(this.argv);
  }
}
