import { Command } from '@oclif/core/command';
import { reportError } from './errors.js';
import { guardStderr, guardStdout } from './stderr.js';

/** Every relay command: errors end as one line on stderr and the documented exit status. */
export abstract class RelayCommand extends Command {
  public override async init(): Promise<void> {
    // Before anything is written: a failing stderr silences relay's messages, nothing else.
    guardStderr();
    guardStdout();
    await super.init();
  }

  protected override async catch(err: Error & { exitCode?: number }): Promise<void> {
    // A parse error is still a parse: keeps oclif's "did not parse" warning (non-production) off stderr.
    this.parsed = true;
    reportError(err);
  }
}
