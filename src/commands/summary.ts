import * as Flags from '@oclif/core/flags';
import { RelayCommand } from '../cli/command.js';
import { recordDebugStats } from '../cli/debug-stats.js';
import { frameFileArg } from '../cli/flags.js';

export default class Summary extends RelayCommand {
  static override summary = 'Summarise a saved frame stream: per-worker outcome, duration, bytes, and the last lines of failures.';

  static override description = `Reads a frame stream (FILE, or "-" for stdin) and prints one row per
worker: its outcome (ok, failed, signal, spawn_error, cancelled, or
unfinished when the stream has no worker_exited for it), exit code or
signal, duration and bytes; then the last lines of every worker that did
not end ok (ANSI stripped, spinner redraws resolved).

--format markdown writes a GitHub-flavoured table with the last lines in
collapsed blocks: the same table relay fanout appends to the file named by
$GITHUB_STEP_SUMMARY in GitHub Actions.

A stream cut off mid-run is still summarised, with a one-line warning on
stderr. A line that is not a valid frame (or over 16 MiB, or not UTF-8), a
seq not above the previous frame's, an empty file or a directory is an
error naming the file and line (exit 2).`;

  static override examples = [
    { description: 'Record a run, then summarise it:', command: '<%= config.bin %> fanout -w 4 --output run.ndjson -- make test; <%= config.bin %> <%= command.id %> run.ndjson' },
    { description: 'A Markdown table for a pull-request comment:', command: '<%= config.bin %> <%= command.id %> run.ndjson --format markdown > summary.md' },
    { description: 'From a pipe:', command: '<%= config.bin %> fanout -w 3 | <%= config.bin %> <%= command.id %> -' },
  ];

  static override args = {
    file: frameFileArg,
  };

  static override flags = {
    format: Flags.option({ options: ['text', 'markdown'] as const, default: 'text' as const, description: 'text for a terminal or log; markdown for GitHub (a table plus collapsed last lines).' })(),
    'last-lines': Flags.integer({ min: 0, default: 10, description: 'Lines of output shown for each worker that did not end ok.' }),
  };

  async run(): Promise<void> {
    recordDebugStats();
    const { args, flags } = await this.parse(Summary);
    const { summarizeInput } = await import('../summary/cli.js');
    await summarizeInput({ file: args.file, format: flags.format, lastLines: flags['last-lines'], stdout: process.stdout, stderr: process.stderr });
  }
}
