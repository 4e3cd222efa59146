import * as Flags from '@oclif/core/flags';
import { RelayCommand } from '../cli/command.js';
import { liveRunFlag, workerTargetArg } from '../cli/flags.js';

export default class Attach extends RelayCommand {
  static override summary = 'Watch a worker of a live run in this terminal, and take its keyboard when you want to.';

  static override description = `Shows the current screen of WORKER (w3, or 3) or of the worker running task
TASK (its id), then its live output. Several people may watch the same
worker; one drives at a time.

Keys stay with relay until you take the keyboard. While watching: d takes
the keyboard (drive); q or Ctrl-C detaches. While driving, every key goes
to the worker (Ctrl-C included), and so does your terminal's size (it gets
SIGWINCH), except the escape Ctrl-]: Ctrl-] d gives the keyboard back,
Ctrl-] q detaches, Ctrl-] Ctrl-] types a Ctrl-] into the worker.

While you drive, relay's --on-input and idle policies hold off for that
worker, and it runs at your terminal's size; when you give it back it
returns to the run's --cols/--rows. Detaching never stops the worker or the
run. The frame stream records it all as operator frames (attach, drive,
input with byte counts only, release, detach; your user name).

attach ends (exit 0) when you detach, the worker's attempt ends, or the run
ends. The terminal is put back as it was in every case, SIGTERM and SIGHUP
included. A worker that is not running, an unknown task or run, or no live
run: one line on stderr, exit 2. See relay ls for the runs.`;

  static override examples = [
    { description: 'Watch w3 of the only live run (press d to type into it):', command: '<%= config.bin %> <%= command.id %> w3' },
    { description: 'Take the keyboard of the worker running task fix-login at once:', command: '<%= config.bin %> <%= command.id %> --drive fix-login' },
    { description: 'Pick a run when several are alive:', command: '<%= config.bin %> <%= command.id %> --run 6f1c w1' },
  ];

  static override args = {
    target: workerTargetArg,
  };

  static override flags = {
    run: liveRunFlag,
    drive: Flags.boolean({ description: 'Take the keyboard at once.' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Attach);
    const { attach } = await import('../control/attach.js');
    process.exitCode = await attach({ run: flags.run, target: args.target, drive: flags.drive, stdin: process.stdin, stdout: process.stdout });
  }
}
