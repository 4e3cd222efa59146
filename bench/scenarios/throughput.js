// 1. Throughput: 9 workers each print BYTES as fast as they can into a reader that keeps up.
import { measure } from '../lib/proc.js';
import { countReader } from '../lib/readers.js';
import { summary } from '../lib/stats.js';
import { AGENT, TOOLS } from '../lib/tools.js';

const WORKERS = 9;
const TARGET = 0.9;

export async function throughput({ bytes, runs, comparisonRuns = runs }, log) {
  const argv = [...AGENT, '--bytes', bytes, '--duration', '0', '--digest', '--seed', '{#}'];
  const nominal = WORKERS * Number.parseFloat(bytes) * 1e6; // "20MB" is 20e6 bytes
  const samples = {};
  for (let r = 0; r < runs; r++) {
    for (const [name, tool] of Object.entries(TOOLS)) {
      if (r >= comparisonRuns && !['relay', 'baseline', 'ceiling', 'relay (compare)'].includes(name)) continue; // time budget
      const m = await measure({ cmd: tool.cmd(WORKERS, argv), reader: countReader(), debugStats: tool.stats, poll: !tool.stats && tool.forwarder !== false });
      const mbps = nominal / 1e6 / (m.wallMs / 1000);
      log(`throughput ${name} run ${r + 1}: ${mbps.toFixed(1)} MB/s, ${m.read.digests}/${WORKERS} digests`);
      (samples[name] ??= []).push({ mbps, cpuS: m.cpuS, wallS: m.wallMs / 1000, complete: m.read.digests === WORKERS });
    }
  }
  const tools = Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, {
    terminal: TOOLS[name].terminal,
    mb_per_s: summary(s.map((x) => x.mbps)),
    forwarder_cpu_s: summary(s.map((x) => x.cpuS)),
    wall_s: summary(s.map((x) => x.wallS)),
    // Raw streams: every agent's digest line must be there (concurrently drops them). Frames are
    // checked byte for byte in the stall scenario; here a digest line may straddle two frames.
    all_digests_seen: TOOLS[name].frames ? null : s.every((x) => x.complete),
  }]));
  // Paired ratios: run r of relay against run r of the baseline, taken back to back.
  const ratio = summary(samples.relay.map((x, i) => x.mbps / samples.baseline[i].mbps));
  const compare = samples['relay (compare)'];
  return {
    workers: WORKERS, bytes_per_worker: bytes, runs, tools,
    relay_over_baseline: ratio,
    ...(compare && { relay_over_compare: summary(samples.relay.map((x, i) => x.mbps / compare[i].mbps)) }),
    relay_over_ceiling: tools.relay.mb_per_s.median / tools.ceiling.mb_per_s.median,
    target: `relay / baseline >= ${TARGET}`,
    met: ratio.median >= TARGET,
  };
}
