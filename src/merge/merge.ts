// `relay merge`: frame files of shards (`relay fanout --shard K/N`) into one valid stream. Every
// file is checked first (nothing is written if one is bad); then one run_started, every file's
// frames in the order the files were given with seq renumbered 1..n, and one run_finished that
// sums the outcomes. Worker ids repeat across shards (each shard has its w1…); frames' `task`
// numbers are those of the full list, so they stay unique.
import { encodeFrame } from '../frames/encode.js';
import type { Frame, OutcomeCounts, RunEnd, RunFinished, RunStarted } from '../frames/types.js';
import { emptyCounts, slowest } from '../fanout/outcomes.js';
import { sumTotals } from '../agents/events/totals.js';
import { usageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { checkShardFile, shardFrames, type ShardFile } from './read.js';

/** Where merged frames go: awaited per line (the CLI's FrameWriter). */
export interface LineSink {
  write(line: string): Promise<void>;
}

export interface MergeResult {
  /** The merged run_finished. */
  finished: RunFinished;
  /** Shards missing from 1..N: then the merged run is not ok, unless allowPartial. */
  missingShards: string[];
}

export interface MergeOptions {
  /** Accept a shard set with shards missing from 1..N: their absence alone does not make the run fail. */
  allowPartial?: boolean;
}

export async function mergeFrameFiles(paths: readonly string[], sink: LineSink, options: MergeOptions = {}): Promise<MergeResult> {
  if (paths.length === 0) throw usageError('merge: give the frame files of the shards, e.g. relay merge shard-*.ndjson');
  const files: ShardFile[] = [];
  for (const path of paths) files.push(await checkShardFile(path));
  const missingShards = checkShards(files);

  let seq = 0;
  const put = (frame: Frame): Promise<void> => sink.write(encodeFrame({ ...frame, seq: (seq += 1) }));
  await put(mergedStart(files));
  for (const file of files) {
    for await (const frame of shardFrames(file.path)) {
      if (frame.type !== 'run_started' && frame.type !== 'run_finished') await put(frame);
    }
  }
  const finished = mergedFinish(files, missingShards.length > 0 && !options.allowPartial);
  await put(finished);
  return { finished: { ...finished, seq }, missingShards };
}

/** The same shard twice, or shards of different N, cannot be one list. */
function checkShards(files: readonly ShardFile[]): string[] {
  const seen = new Map<number, string>();
  let n: number | undefined;
  for (const f of files) {
    const shard = f.started.shard;
    if (!shard) continue;
    if (n !== undefined && shard.n !== n) throw usageError(`${f.path}: shard ${shard.k}/${shard.n}, but another file is of ${n} shards`);
    n = shard.n;
    const first = seen.get(shard.k);
    if (first) throw usageError(`${f.path}: shard ${shard.k}/${shard.n} was already given (${first})`);
    seen.set(shard.k, f.path);
  }
  if (n === undefined) return [];
  return Array.from({ length: n }, (_, i) => i + 1).filter((k) => !seen.has(k)).map((k) => `${k}/${n}`);
}

function mergedStart(files: readonly ShardFile[]): RunStarted {
  const first = files[0]!.started;
  // Which shard and what it resumed describe one file, not the merged run.
  const { shard: _shard, resume: _resume, ...rest } = first;
  return {
    ...rest,
    // Slots are numbered per shard (w1…), so the largest slot count describes the ids in the stream.
    workers: Math.max(...files.map((f) => f.started.workers)),
    tasks: files.reduce((n, f) => n + f.started.tasks, 0),
    ts: Math.min(...files.map((f) => f.started.ts)),
  };
}

function mergedFinish(files: readonly ShardFile[], incomplete: boolean): RunFinished {
  const ends = files.map((f) => f.finished);
  const resumed = ends.some((e) => e.counts.skipped !== undefined);
  const budget = ends.some((e) => e.counts.budget !== undefined);
  const counts = ends.reduce<OutcomeCounts>((sum, e) => {
    for (const key of Object.keys(sum) as (keyof OutcomeCounts)[]) sum[key] = (sum[key] ?? 0) + (e.counts[key] ?? 0); // ?? 0: awaiting_input is absent from older v1 files
    return sum;
  }, { ...emptyCounts(), ...(resumed ? { skipped: 0 } : {}), ...(budget ? { budget: 0 } : {}) });
  const agents = ends.flatMap((e) => (e.agent ? [e.agent] : []));
  // A shard that was stopped (Ctrl-C, fail-fast…) decides the merged reason and status.
  const stopped = ends.find((e) => e.reason !== 'completed');
  const reason: RunEnd = stopped?.reason ?? 'completed';
  const ok = !stopped && !incomplete && counts.ok + (counts.skipped ?? 0) === counts.total;
  return {
    v: 1,
    seq: 0,
    ts: Math.max(...ends.map((e) => e.ts)),
    type: 'run_finished',
    ok,
    exit_code: stopped ? stopped.exit_code : ok ? EXIT.ok : EXIT.failed,
    reason,
    counts,
    attempts: ends.reduce((n, e) => n + e.attempts, 0),
    failed_tasks: ends.flatMap((e) => e.failed_tasks).sort((a, b) => a.task - b.task),
    not_started: ends.flatMap((e) => e.not_started),
    slowest: slowest(ends.flatMap((e) => e.slowest)),
    // Shards run side by side (a CI matrix): the merged run took as long as the longest.
    duration_ms: Math.max(...ends.map((e) => e.duration_ms)),
    ...(agents.length > 0 ? { agent: sumTotals(agents) } : {}),
  };
}
