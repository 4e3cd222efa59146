// 4. Scale: N workers of the built-in agent doing a short run. Overhead = wall time minus the
// longest worker's own duration (as the forwarder measured it: spawn to exit); memory = peak RSS,
// and per worker the growth over a one-worker run. The same count of `sleep` workers (no CPU of
// their own) separates the forwarder's own overhead from a machine saturated by the agents.
import { measure } from '../lib/proc.js';
import { durationsReader } from '../lib/readers.js';
import { summary } from '../lib/stats.js';
import { AGENT, TOOLS } from '../lib/tools.js';

const TARGET_OVERHEAD_S = 2;
const TARGET_PER_WORKER_MIB = 1;

export async function scale({ workers, agentDuration, runs }, log) {
  const argv = [...AGENT, '--duration', agentDuration, '--bytes', '4KB', '--seed', '{#}'];
  const names = ['relay', 'baseline'];
  const one = {};
  for (const name of names) {
    const m = await measure({ cmd: TOOLS[name].cmd(1, argv), reader: durationsReader(), debugStats: true });
    one[name] = m.maxRssBytes;
  }
  const seconds = String(Number.parseFloat(agentDuration) * (agentDuration.endsWith('ms') ? 0.001 : 1));
  const cases = [
    { key: String(workers[0]), n: workers[0], argv },
    { key: `${workers[0]} sleep`, n: workers[0], argv: ['sleep', seconds] },
    ...workers.slice(1).map((n) => ({ key: String(n), n, argv })),
  ];
  const byCount = {};
  for (const { key, n, argv } of cases) {
    const samples = {};
    const nRuns = n >= 1000 ? 1 : runs;
    for (let r = 0; r < nRuns; r++) {
      for (const name of names) {
        const m = await measure({ cmd: TOOLS[name].cmd(n, argv), reader: durationsReader(), debugStats: true, treeCpu: true });
        const { durations } = m.read;
        const overheadS = (m.wallMs - Math.max(...durations)) / 1000;
        const perWorker = (m.maxRssBytes - one[name]) / (n - 1) / 2 ** 20;
        log(`scale ${key} ${name} run ${r + 1}: wall ${(m.wallMs / 1000).toFixed(2)} s, CPU (all processes) ${m.treeCpuS?.toFixed(1)} s, overhead ${overheadS.toFixed(2)} s, peak RSS ${(m.maxRssBytes / 2 ** 20).toFixed(0)} MiB, ${durations.length}/${n} ended`);
        (samples[name] ??= []).push({ wallS: m.wallMs / 1000, longestS: Math.max(...durations) / 1000, overheadS, rss: m.maxRssBytes / 2 ** 20, perWorker, ended: durations.length, code: m.code, cpuS: m.cpuS, treeCpuS: m.treeCpuS });
      }
    }
    byCount[key] = Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, {
      wall_s: summary(s.map((x) => x.wallS)),
      longest_worker_s: summary(s.map((x) => x.longestS)),
      overhead_s: summary(s.map((x) => x.overheadS)),
      peak_rss_mib: summary(s.map((x) => x.rss)),
      rss_per_worker_mib: summary(s.map((x) => x.perWorker)),
      forwarder_cpu_s: summary(s.map((x) => x.cpuS)),
      // Forwarder plus workers: on C cores the wall time cannot be below this / C.
      total_cpu_s: summary(s.map((x) => x.treeCpuS ?? NaN)),
      all_workers_ended: s.every((x) => x.ended === n),
    }]));
    // Paired: relay's wall time over the baseline's, run by run (same workers, back to back).
    byCount[key].relay_wall_over_baseline = summary(samples.relay.map((x, i) => x.wallS / samples.baseline[i].wallS));
  }
  const first = byCount[workers[0]].relay;
  return {
    agent_duration: agentDuration, runs, one_worker_peak_rss_mib: { relay: one.relay / 2 ** 20, baseline: one.baseline / 2 ** 20 }, by_workers: byCount,
    targets: { overhead_s: `< ${TARGET_OVERHEAD_S} at ${workers[0]}`, rss_per_worker_mib: `< ${TARGET_PER_WORKER_MIB}` },
    met: { overhead: first.overhead_s.median < TARGET_OVERHEAD_S, rss_per_worker: first.rss_per_worker_mib.median < TARGET_PER_WORKER_MIB },
  };
}
