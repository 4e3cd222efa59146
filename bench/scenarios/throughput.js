// 1. Throughput: 9 workers each print BYTES as fast as they can into a reader that keeps up.
import { measure, measureEach } from '../lib/proc.js';
import { countReader } from '../lib/readers.js';
import { summary } from '../lib/stats.js';
import { AGENT, NATIVE, TOOLS } from '../lib/tools.js';

const WORKERS = 9;
const TARGET_OVER_NATIVE = 1.25; // relay's wall time ≤ 1.25 × the native script readers'
const TARGET_OVER_BASELINE = 1; // relay's wall time < the baseline's: ahead of it
const EARLIER_TARGET_MBPS = 0.9; // the earlier target, relay MB/s ≥ 0.9 × the baseline's, kept for comparison

/** One run of the native readers: nine `script` processes, each stdout read here, as a forwarder's is. */
async function nativeRun(argv) {
  const m = await measureEach({ cmds: NATIVE.cmds(WORKERS, argv), readers: Array.from({ length: WORKERS }, () => countReader()) });
  // Each worker's own stream must end with its agent's digest line.
  return { wallMs: m.wallMs, cpuS: NaN, digests: m.read.filter((r) => r.digests === 1).length };
}

async function toolRun(tool, argv) {
  const m = await measure({ cmd: tool.cmd(WORKERS, argv), reader: countReader(), debugStats: tool.stats, poll: !tool.stats && tool.forwarder !== false });
  return { wallMs: m.wallMs, cpuS: m.cpuS, digests: m.read.digests };
}

/** Paired ratio of relay's samples to another forwarder's, run r against run r. */
const paired = (a, b, f) => summary(a.map((x, i) => (b[i] ? f(x, b[i]) : NaN)));

export async function throughput({ bytes, runs, comparisonRuns = runs }, log) {
  const argv = [...AGENT, '--bytes', bytes, '--duration', '0', '--digest', '--seed', '{#}'];
  const nominal = WORKERS * Number.parseFloat(bytes) * 1e6; // "20MB" is 20e6 bytes
  const alternation = Object.entries(TOOLS);
  if (NATIVE) alternation.splice(2, 0, ['native', NATIVE]); // after relay and the baseline
  const samples = {};
  for (let r = 0; r < runs; r++) {
    for (const [name, tool] of alternation) {
      if (r >= comparisonRuns && !['relay', 'baseline', 'native', 'ceiling', 'relay (compare)'].includes(name)) continue; // time budget
      const m = name === 'native' ? await nativeRun(argv) : await toolRun(tool, argv);
      const mbps = nominal / 1e6 / (m.wallMs / 1000);
      log(`throughput ${name} run ${r + 1}: ${mbps.toFixed(1)} MB/s, ${m.digests}/${WORKERS} digests`);
      (samples[name] ??= []).push({ mbps, cpuS: m.cpuS, wallS: m.wallMs / 1000, complete: m.digests === WORKERS });
    }
  }
  const tools = Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, {
    terminal: name === 'native' ? true : TOOLS[name].terminal,
    mb_per_s: summary(s.map((x) => x.mbps)),
    forwarder_cpu_s: summary(s.map((x) => x.cpuS)),
    wall_s: summary(s.map((x) => x.wallS)),
    // Raw streams: every agent's digest line must be there (concurrently drops them); the native
    // readers: each of the nine streams. Frames are checked byte for byte in the stall scenario;
    // here a digest line may straddle two frames.
    all_digests_seen: TOOLS[name]?.frames ? null : s.every((x) => x.complete),
  }]));
  const wallRatio = (x, y) => x.wallS / y.wallS;
  const overNative = samples.native ? paired(samples.relay, samples.native, wallRatio) : undefined;
  const overBaselineWall = paired(samples.relay, samples.baseline, wallRatio);
  const ratio = paired(samples.relay, samples.baseline, (x, y) => x.mbps / y.mbps);
  const compare = samples['relay (compare)'];
  return {
    workers: WORKERS, bytes_per_worker: bytes, runs, tools,
    relay_over_native_wall: overNative ?? null,
    relay_over_baseline_wall: overBaselineWall,
    relay_over_baseline: ratio,
    ...(compare && { relay_over_compare: paired(samples.relay, compare, (x, y) => x.mbps / y.mbps) }),
    relay_over_ceiling: tools.relay.mb_per_s.median / tools.ceiling.mb_per_s.median,
    targets: {
      relay_over_native_wall: `≤ ${TARGET_OVER_NATIVE}`,
      relay_over_baseline_wall: `< ${TARGET_OVER_BASELINE} (ahead of the baseline)`,
      relay_over_baseline: `≥ ${EARLIER_TARGET_MBPS} (MB/s; the earlier target)`,
    },
    met: {
      // null: the native readers could not run (no util-linux script).
      relay_over_native: overNative ? overNative.median <= TARGET_OVER_NATIVE : null,
      ahead_of_baseline: overBaselineWall.median < TARGET_OVER_BASELINE,
      relay_over_baseline_mbps: ratio.median >= EARLIER_TARGET_MBPS,
    },
  };
}
