import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { RelayCommand } from '../cli/command.js';
import { exitCodeRows, exitCodesHelp } from '../exit-codes.js';
import { recordDebugStats } from '../cli/debug-stats.js';

export default class Merge extends RelayCommand {
  static override summary = 'Merge the frame files of shards (fanout --shard K/N) into one valid frame stream on stdout.';

  static override description = `Checks every FILE first: each line a valid frame, seq 1..n without gaps,
run_started first and run_finished last; the first bad line is reported as
FILE line N, exit 2, and nothing is written. Then writes one run_started
(tasks summed; workers the largest slot count), every file's frames in the
order the files were given with seq renumbered 1..n, and one run_finished
whose counts, attempts, failed_tasks and not_started are summed, slowest
recomputed, duration the longest shard's, ok and exit_code recomputed (a
stopped shard's reason and status win). Worker ids repeat across shards;
task numbers are those of the full list; agent totals summed. A shard
missing from 1..N makes the merged run not ok (run_finished.ok false, exit
1) unless --allow-partial accepts the partial set.

Exit codes:
${exitCodesHelp(
  exitCodeRows(['ok', 'failed', 'usage', 'output_failed', 'output_closed'], {
    ok: 'merged (whatever the shards\' outcomes: see run_finished.ok)',
    failed: 'merged, but shards are missing from 1..N (without --allow-partial)',
    usage: 'bad input (a file missing, malformed, cut short, or a shard twice)',
  }),
)}`;

  static override examples = [
    {
      description: 'Three CI jobs ran one shard each; merge them and check the whole run:',
      command: `<%= config.bin %> <%= command.id %> shard-1.ndjson shard-2.ndjson shard-3.ndjson | jq -c 'select(.type=="run_finished")'`,
    },
  ];

  static override strict = false;
  static override args = {
    files: Args.string({ description: 'Frame files written by relay fanout --shard K/N (--output FILE).', required: true }),
  };
  static override flags = {
    'allow-partial': Flags.boolean({ description: 'Accept shards missing from 1..N: the merge is ok if the given shards are.' }),
  };
  static override usage = '<%= command.id %> [--allow-partial] FILE...';

  async run(): Promise<void> {
    recordDebugStats();
    const { argv, flags } = await this.parse(Merge);
    const { runMerge } = await import('../cli/run-merge.js');
    process.exitCode = await runMerge(argv as string[], flags['allow-partial']);
  }
}
