import * as Flags from '@oclif/core/flags';
import { duration, frameFileArg } from '../cli/flags.js';
import { RelayCommand } from '../cli/command.js';
import { recordDebugStats } from '../cli/debug-stats.js';

export default class Replay extends RelayCommand {
  static override summary = 'Show what each attempt\'s terminal showed, from a saved frame stream.';

  static override description = `Reads a frame stream (FILE, or "-" for stdin) and shows, for each attempt
(one run of one task in its own terminal; only those of --worker or --task
if given), one of:

- its final screen (default), rendered by a headless terminal emulator
  (xterm.js) at the run's --cols x --rows: cursor movement, erasing and
  redraws land where a terminal puts them;
- its transcript (--transcript): everything it printed as plain text, ANSI
  stripped, carriage-return redraws resolved (the rules of fanout --lines);
- its output re-played to stdout at the recorded pace (--live), pauses
  capped by --max-delay; needs --worker or --task when the run had several
  workers.

With several attempts, each screen or transcript comes under a header line
naming the task, the worker, the attempt and how it ended, a blank line
between them.

A stream cut off mid-run (no run_finished, or a last line cut in half) is
still replayed, with a one-line warning on stderr. A line that is not a
valid frame (or over 16 MiB, or not UTF-8), a seq not above the previous
frame's, an empty file or a directory is an error naming the file and line
(exit 2). Screens are at most 1000x1000, and all of them at most 512 MiB
(else use --worker or --transcript). A stream recorded with --no-stream has
only lines: its screen is then those lines.

--live restores what the output switched on in the terminal (alternate
screen, hidden cursor, mouse reporting) when it ends, on Ctrl-C (exit 130),
and when the output fails.`;

  static override examples = [
    { description: 'Record a run, then see every worker\'s final screen:', command: '<%= config.bin %> fanout -w 3 --output run.ndjson; <%= config.bin %> <%= command.id %> run.ndjson' },
    { description: 'One worker\'s transcript as plain text:', command: '<%= config.bin %> <%= command.id %> run.ndjson --worker w2 --transcript' },
    { description: 'Every attempt of one task (by id, or #N by number), as plain text:', command: '<%= config.bin %> <%= command.id %> run.ndjson --task fix-login --transcript' },
    { description: 'Watch worker 2 again, as it happened:', command: '<%= config.bin %> <%= command.id %> run.ndjson --worker 2 --live' },
    { description: 'From a pipe:', command: '<%= config.bin %> fanout -w 1 -- htop -n 3 | <%= config.bin %> <%= command.id %> -' },
  ];

  static override args = {
    file: frameFileArg,
  };

  static override flags = {
    worker: Flags.string({ char: 'w', description: 'Only the attempts of this worker slot: its id (w2) or number (2).', helpValue: 'ID' }),
    task: Flags.string({ char: 't', description: 'Only the attempts of this task: its id, or #N for its number.', helpValue: 'ID' }),
    transcript: Flags.boolean({ description: 'Plain text of everything it printed instead of the final screen.', exclusive: ['live'] }),
    live: Flags.boolean({ description: 'Re-play the output at its recorded pace (to a terminal).', exclusive: ['transcript'] }),
    'max-delay': duration({ description: 'Live mode: longest pause between two chunks, e.g. 250ms, 2s. [default: 1s]', helpValue: 'DURATION' }),
  };

  async run(): Promise<void> {
    recordDebugStats();
    const { args, flags } = await this.parse(Replay);
    const { openInput } = await import('../frames/input.js');
    const { replay } = await import('../replay/replay.js');
    process.exitCode = await replay({
      input: await openInput(args.file),
      file: args.file,
      mode: flags.live ? 'live' : flags.transcript ? 'transcript' : 'screen',
      worker: flags.worker,
      task: flags.task,
      maxDelayMs: flags['max-delay'] ?? 1000,
      stdout: process.stdout,
      stderr: process.stderr,
    });
  }
}
