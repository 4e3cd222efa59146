import * as Flags from '@oclif/core/flags';
import { RelayCommand } from '../cli/command.js';

export default class Ls extends RelayCommand {
  static override summary = 'List your live relay runs on this machine, and the workers of one.';

  static override description = `Every relay fanout listens on a private Unix socket (see relay attach).
relay ls asks each one: run id, pid, start time, workers, tasks done, and
working directory. With one live run (or --run ID) it also lists that run's
workers: task, state (running, waiting_input, idle, stopping, pending,
waiting, exited), elapsed time and last line, and who watches or drives it.

Sockets left by runs that were killed (nobody listens on them any more) are
removed. Nothing is printed when no run is alive.

Sockets live in $XDG_RUNTIME_DIR/relay, else in <tmp>/relay-<uid>; relay
refuses a directory that is a symbolic link, belongs to another user or is
open to others (exit 2).`;

  static override examples = [
    { description: 'What is running, and what its workers do:', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'One run of several, for a script:', command: '<%= config.bin %> <%= command.id %> --run 6f1c --json | jq \'.[0].slots[] | select(.state == "waiting_input") | .worker\'' },
  ];

  static override flags = {
    run: Flags.string({ char: 'r', description: 'Only this run (its id, or the start of it).' }),
    json: Flags.boolean({ description: 'One JSON array of runs, each with its slots, on stdout.' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Ls);
    const { listRuns } = await import('../control/cli.js');
    await listRuns({ run: flags.run, json: flags.json, stdout: process.stdout });
  }
}
