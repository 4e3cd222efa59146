import { Command } from '@oclif/core';
import { simHelp } from '../sim/options.js';

export default class Agent extends Command {
  static override hidden = true;
  static override strict = false;
  static override summary = 'The built-in simulated agent (what fanout runs when given no command).';
  static override description = `Behaves like an AI coding agent on a terminal: banner, spinner, streamed text, tool calls,
a summary. Deterministic for a seed; its flags shape the load for tests and benchmarks.

Flags:
${simHelp()}`;

  async run(): Promise<void> {
    const { simMain } = await import('../sim/main.js');
    process.exitCode = await simMain(this.argv);
  }
}
