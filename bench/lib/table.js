// The human summary of a report: one row per scenario, forwarder and metric.
const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const range = (s, d = 1, k = 1) => (s && Number.isFinite(s.median) ? `${fmt(s.median * k, d)}  (${fmt(s.min * k, d)}–${fmt(s.max * k, d)})` : '-');
const yes = (b) => (b === undefined ? '' : b ? 'met' : 'MISSED');

function rows({ scenarios: s }) {
  const out = [];
  const add = (scenario, tool, metric, value, note = '') => out.push([scenario, tool, metric, value, note]);
  if (s.throughput) {
    for (const [tool, t] of Object.entries(s.throughput.tools)) {
      const lost = t.all_digests_seen !== false ? '' : 'OUTPUT LOST: agents\' last lines missing';
      add('1 throughput', tool, 'MB/s', range(t.mb_per_s), [t.terminal ? '' : 'no terminal', lost].filter(Boolean).join('; '));
      if (Number.isFinite(t.forwarder_cpu_s.median)) add('', tool, 'forwarder CPU s', range(t.forwarder_cpu_s, 2));
    }
    const t = s.throughput;
    if (typeof t.met === 'boolean') add('', 'relay/baseline', 'ratio', range(t.relay_over_baseline, 2), `target ≥ 0.9: ${yes(t.met)}`); // reports before issue 16
    else {
      add('', 'relay/native', 'wall ratio', t.relay_over_native_wall ? range(t.relay_over_native_wall, 2) : '-', `target ${t.targets.relay_over_native_wall}: ${t.met.relay_over_native === null ? 'not measured (no util-linux script)' : yes(t.met.relay_over_native)}`);
      add('', 'relay/baseline', 'wall ratio', range(t.relay_over_baseline_wall, 2), `target ${t.targets.relay_over_baseline_wall}: ${yes(t.met.ahead_of_baseline)}`);
      add('', 'relay/baseline', 'MB/s ratio', range(t.relay_over_baseline, 2), `target ${t.targets.relay_over_baseline}: ${yes(t.met.relay_over_baseline_mbps)}`);
    }
    if (s.throughput.relay_over_compare) add('', 'relay/relay (compare)', 'ratio', range(s.throughput.relay_over_compare, 2), 'RELAY_BENCH_COMPARE');
  }
  if (s.stall) {
    for (const [tool, t] of Object.entries(s.stall.tools)) {
      add('2 stall', tool, 'peak RSS MiB', range(t.peak_rss_mib, 0), tool === 'relay' ? `target ${s.stall.targets.peak_rss_mb ?? '< 100 MiB'}: ${yes(s.stall.met.peak_rss)}` : t.terminal ? '' : 'no terminal');
      if (Number.isFinite(t.loop_delay_max_ms.median)) {
        add('', tool, 'loop delay max ms', range(t.loop_delay_max_ms), `during the stall; target < 50: ${yes(s.stall.met.loop_delay)}`);
        add('', tool, 'loop delay max ms', range(t.loop_delay_max_whole_run_ms), 'whole run (start-up, catch-up)');
      }
      add('', tool, 'every byte arrived', `${t.runs_complete}/${t.peak_rss_mib.n} runs`, tool === 'relay' ? yes(s.stall.met.nothing_lost) : t.every_byte_arrived ? '' : t.bytes_lost_max ? `OUTPUT LOST: up to ${t.bytes_lost_max} bytes` : 'OUTPUT LOST');
    }
  }
  if (s.latency) {
    for (const [tool, t] of Object.entries(s.latency.tools)) {
      add('3 latency', tool, 'p50 / p99 ms', `${fmt(t.p50_ms.median, 2)} / ${fmt(t.p99_ms.median, 2)}  (p99 ${fmt(t.p99_ms.min, 2)}–${fmt(t.p99_ms.max, 2)})`, tool === 'relay' ? `${s.latency.relay_flags ? `relay ${s.latency.relay_flags}; ` : ''}target ${s.latency.target ?? 'p99 < 10'}: ${yes(s.latency.met)}` : '');
    }
  }
  if (s.scale) {
    const first = Object.keys(s.scale.by_workers)[0];
    for (const [n, { relay_wall_over_baseline: wallRatio, ...tools }] of Object.entries(s.scale.by_workers)) {
      for (const [tool, t] of Object.entries(tools)) {
        add(`4 scale ${n}`, tool, 'overhead s', range(t.overhead_s, 2), tool === 'relay' && n === first ? `target < 2: ${yes(s.scale.met.overhead)}` : '');
        add('', tool, 'wall s', range(t.wall_s, 2), `longest worker ${fmt(t.longest_worker_s.median, 2)} s; CPU of all processes ${fmt(t.total_cpu_s.median, 1)} s`);
        add('', tool, 'peak RSS MiB', range(t.peak_rss_mib, 0));
        add('', tool, 'RSS/worker MiB', range(t.rss_per_worker_mib, 3), tool === 'relay' && n === first ? `target < 1: ${yes(s.scale.met.rss_per_worker)}` : '');
      }
      add('', 'relay/baseline', 'wall ratio', range(wallRatio, 2));
    }
  }
  if (s.startup) {
    for (const [cmd, t] of Object.entries(s.startup.commands_ms)) add('5 start-up', cmd, 'ms', range(t, 0));
    // Reports written before the fanout ratio had a target carry only `met`.
    const met = s.startup.met_by ?? { version: s.startup.met };
    add('', '--version / node', 'ratio', fmt(s.startup.version_over_node, 2), `target ${s.startup.targets?.version_over_node ?? '< 3'}: ${yes(met.version)}`);
    if (s.startup.targets?.fanout_over_node) add('', 'fanout -w 1 / node', 'ratio', fmt(s.startup.fanout_over_node, 2), `target ${s.startup.targets.fanout_over_node}: ${yes(met.fanout)}`);
  }
  if (s.frames) {
    for (const [tool, t] of Object.entries(s.frames.tools)) {
      add('6 frame bytes', tool, 'frame / output bytes', range(t.frame_over_output, 2), tool === 'relay' ? `${s.frames.relay_flags}; target ≤ 4: ${yes(s.frames.met)}` : '');
      add('', tool, 'frame KB', range(t.frame_bytes, 0, 1e-3), `output ${fmt(t.output_bytes.median / 1e3, 0)} KB (worker_exited bytes); ${fmt(t.worker_stream_frames.median, 0)} worker_stream frames`);
    }
  }
  return out;
}

export function printTable(report) {
  const header = ['scenario', 'forwarder', 'metric', 'median  (min–max)', 'target / note'];
  const body = rows(report);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const m = report.machine;
  console.log(`relay bench ${report.date}  node ${report.node}  ${m.cores} × ${m.cpu}  load ${m.load_before.map((x) => x.toFixed(2)).join(' ')}${m.load_after ? ` (after: ${m.load_after.map((x) => x.toFixed(2)).join(' ')})` : ''}${report.quick ? '  (quick)' : ''}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of body) console.log(line(r));
}
