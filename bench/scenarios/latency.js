// 3. Latency: 9 workers print a time-stamped line RATE times a second; delay from the worker's
// write (its timestamp) to the moment the reader reads the chunk holding it. relay runs with its
// default options (coalescing on, a 20ms window) unless RELAY_BENCH_FLAGS says otherwise.
import { measure } from '../lib/proc.js';
import { latencyReader } from '../lib/readers.js';
import { percentile, summary } from '../lib/stats.js';
import { RELAY_FLAGS, TICKER, TOOLS } from '../lib/tools.js';

const WORKERS = 9;
const TARGET_P99_MS = 25;

export async function latency({ rate, durationMs, runs }, log) {
  const names = ['relay', 'baseline', 'ceiling'];
  const samples = {};
  for (let r = 0; r < runs; r++) {
    for (const name of names) {
      const tool = TOOLS[name];
      const m = await measure({ cmd: tool.cmd(WORKERS, [...TICKER, String(rate), String(durationMs)]), reader: latencyReader(), debugStats: tool.stats });
      const { delays } = m.read;
      const p = { p50: percentile(delays, 50), p99: percentile(delays, 99), max: percentile(delays, 100), lines: delays.length };
      log(`latency ${name} run ${r + 1}: p50 ${p.p50.toFixed(2)} ms, p99 ${p.p99.toFixed(2)} ms over ${p.lines} lines`);
      (samples[name] ??= []).push(p);
    }
  }
  const tools = Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, {
    terminal: TOOLS[name].terminal,
    p50_ms: summary(s.map((x) => x.p50)),
    p99_ms: summary(s.map((x) => x.p99)),
    max_ms: summary(s.map((x) => x.max)),
    lines_per_run: summary(s.map((x) => x.lines)),
  }]));
  return {
    workers: WORKERS, lines_per_s_per_worker: rate, duration_ms: durationMs, runs, tools,
    relay_flags: RELAY_FLAGS.join(' ') || '(defaults)',
    target: `relay p99 < ${TARGET_P99_MS} ms`,
    met: tools.relay.p99_ms.median < TARGET_P99_MS,
  };
}
