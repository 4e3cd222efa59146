import { Command, Flags } from '@oclif/core';
import { splitCommand } from '../cli/argv.js';
import { reportError } from '../cli/errors.js';
import { DEFAULTS } from '../fanout/options.js';
import { usageError } from '../errors.js';
import { parseDuration, parseSize } from '../units.js';

/** oclif reports errors thrown by a flag's parser as failures of that flag: make them usage errors. */
function unitFlag(parse: (text: string) => number) {
  return Flags.custom<number>({
    parse: async (input) => {
      try {
        return parse(input);
      } catch (err) {
        throw usageError((err as Error).message);
      }
    },
  });
}
const duration = unitFlag(parseDuration);
const size = unitFlag(parseSize);

export default class Fanout extends Command {
  static override summary = 'Run N workers, each in its own pseudo-terminal: frames on stdout, progress on stderr.';

  static override description = `Starts --workers copies of COMMAND (everything after "--"), each in its own pseudo-terminal
(TERM=xterm-256color, --cols × --rows, cwd and environment inherited). "{#}" in any argument is
replaced by the worker's number (1..N); each worker also gets RELAY_WORKER (its id, e.g. w3) and
RELAY_WORKER_INDEX in its environment. Without COMMAND, every worker runs the built-in simulated
agent.

stdout carries NDJSON frames only (one JSON object per line: run_started, worker_started,
worker_stream, worker_exited, run_finished, and worker_line with --lines; see docs/frames.md
and relay schema). They are written through an awaited writer: when the reader falls behind,
the workers' terminals are paused until it catches up, so memory stays bounded and nothing is
lost. When stdout is a terminal, frames are not shown
unless --output - is given.

stderr shows live progress (one row per worker) on a terminal, plain lines otherwise or when CI
is set. In GitHub Actions, plain progress puts each worker's report and last lines in a
::group:: block, and when GITHUB_STEP_SUMMARY is set the run's summary table (relay summary
--format markdown) is appended to that file at the end.

Exit codes:
  0    every worker exited 0
  1    a worker failed (non-zero exit, killed by a signal, or could not start: 127/126)
  2    usage error (bad flag or value); nothing is written to stdout
  74   frames could not be written (e.g. disk full)
  130  interrupted (SIGINT, Ctrl-C); a second Ctrl-C kills the workers at once
  141  the frame reader closed the pipe (like SIGPIPE; "| head" under set -o pipefail)
  143  terminated (SIGTERM)`;

  static override examples = [
    {
      description: 'Nine simulated agents, the final frame only:',
      command: `<%= config.bin %> <%= command.id %> --workers 9 | jq -c 'select(.type=="run_finished")'`,
    },
    {
      description: 'Any command; {#} is the worker number:',
      command: `<%= config.bin %> <%= command.id %> --workers 3 -- bash -c 'echo "hello from worker $1"' _ {#}`,
    },
    {
      description: 'Each worker\'s output as text, worker by worker:',
      command: `<%= config.bin %> <%= command.id %> -w 4 | jq -j 'select(.type=="worker_stream") | .data'`,
    },
    {
      description: 'Each worker\'s output as plain lines (no raw frames):',
      command: `<%= config.bin %> <%= command.id %> -w 4 --no-stream | jq -r 'select(.type=="worker_line") | "\\(.worker) \\(.text)"'`,
    },
    {
      description: 'Frames to a file, plain progress lines on stderr:',
      command: '<%= config.bin %> <%= command.id %> -w 2 --output run.ndjson --progress plain -- make test',
    },
  ];

  static override flags = {
    workers: Flags.integer({ char: 'w', min: 1, description: `Number of workers. [default: ${DEFAULTS.workers}]` }),
    cols: Flags.integer({ min: 1, default: DEFAULTS.cols, description: 'Terminal width of every worker.' }),
    rows: Flags.integer({ min: 1, default: DEFAULTS.rows, description: 'Terminal height of every worker.' }),
    output: Flags.string({ char: 'o', description: 'Write frames to FILE instead of stdout ("-": stdout, even when it is a terminal).', helpValue: 'FILE' }),
    progress: Flags.option({ options: ['auto', 'tty', 'plain', 'none'] as const, default: 'auto' as const, description: 'Progress on stderr: live rows (tty), plain lines, or none. auto: tty when stderr is a terminal and CI is not set.' })(),
    lines: Flags.boolean({ description: 'Also write worker_line frames: each line of output as plain text (ANSI stripped, spinner redraws resolved).', helpGroup: 'LINES' }),
    stream: Flags.boolean({ default: true, allowNo: true, description: 'Write worker_stream frames (raw output for exact replay). --no-stream drops them and implies --lines.', helpGroup: 'LINES' }),
    grace: duration({ default: DEFAULTS.graceMs, description: 'Time between asking workers to stop (SIGTERM) and SIGKILL, e.g. 500ms, 3s. [default: 3s]', helpValue: 'DURATION' }),
    'high-water-mark': size({ description: 'Frames buffered for a slow reader before the workers are paused, e.g. 1MiB. [default: 1MiB]', helpValue: 'SIZE', helpGroup: 'BACKPRESSURE' }),
    'low-water-mark': size({ description: 'Buffered frames at which paused workers resume. [default: a quarter of the high water mark]', helpValue: 'SIZE', helpGroup: 'BACKPRESSURE' }),
  };

  static override usage = '<%= command.id %> [--workers N] [FLAGS] [-- COMMAND [ARGS...]]';

  async run(): Promise<void> {
    const split = splitCommand(this.argv);
    const { flags } = await this.parse(Fanout, split.flags);
    const { runFanout } = await import('../cli/run-fanout.js');
    process.exitCode = await runFanout({
      command: split.command,
      workers: flags.workers,
      cols: flags.cols,
      rows: flags.rows,
      output: flags.output,
      progress: flags.progress,
      graceMs: flags.grace,
      highWaterMark: flags['high-water-mark'],
      lowWaterMark: flags['low-water-mark'],
      lines: flags.lines,
      stream: flags.stream,
    });
  }

  protected override async catch(err: Error & { exitCode?: number }): Promise<void> {
    // A parse error is still a parse: keeps oclif's "did not parse" warning (non-production) off stderr.
    this.parsed = true;
    reportError(err);
  }
}
