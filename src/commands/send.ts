import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { RelayCommand } from '../cli/command.js';
import { liveRunFlag, workerTargetArg } from '../cli/flags.js';

export default class Send extends RelayCommand {
  static override summary = 'Type text into a worker of a live run, as if on its keyboard.';

  static override description = `Types TEXT into the terminal of WORKER (w3, or 3) or of the worker
running task TASK (its id), then Enter unless --no-enter: the scriptable
form of relay attach, for a program or a notify hook that answers a waiting
agent. The run's frame stream records it (an operator frame with action
"send", your user name and the text).

With one live run --run is optional; with several it names the run (its id,
or the start of it). A worker that is not running, an unknown task or run,
or no live run at all: one line on stderr, exit 2.`;

  static override examples = [
    { description: 'Answer the agent on w3:', command: '<%= config.bin %> <%= command.id %> w3 yes' },
    { description: 'Press Enter on the worker running task fix-login, in run 6f1c…:', command: '<%= config.bin %> <%= command.id %> --run 6f1c fix-login ""' },
    { description: 'Type without Enter:', command: '<%= config.bin %> <%= command.id %> --no-enter w1 "partial "' },
  ];

  static override args = {
    target: workerTargetArg,
    text: Args.string({ required: true, description: 'What to type ("" for Enter alone).' }),
  };

  static override flags = {
    run: liveRunFlag,
    enter: Flags.boolean({ default: true, allowNo: true, description: 'Press Enter after TEXT (--no-enter: do not).' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Send);
    const { sendText } = await import('../control/cli.js');
    await sendText({ run: flags.run, target: args.target, text: args.text, enter: flags.enter, stdout: process.stdout });
  }
}
