import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** Width of the windows in which the event loop's largest delay is also recorded. */
const WINDOW_MS = 500;

/**
 * RELAY_DEBUG_STATS=FILE: for the benchmarks (bench/). Samples the event loop's delay and, at
 * exit, writes it to FILE as one JSON object with CPU time and peak RSS (exact, from the kernel).
 * `windows` holds the largest delay of each half second with its end time (ms since the epoch),
 * so a benchmark can pick out a phase such as a stalled reader. Off, and costless, when unset.
 */
export function recordDebugStats(file = process.env.RELAY_DEBUG_STATS): void {
  if (!file) return;
  const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
  const whole = monitorEventLoopDelay({ resolution: 10 });
  const window = monitorEventLoopDelay({ resolution: 10 });
  const windows: { end: number; max_ms: number }[] = [];
  whole.enable();
  window.enable();
  setInterval(() => {
    windows.push({ end: Date.now(), max_ms: ms(window.max) });
    window.reset();
  }, WINDOW_MS).unref();
  process.once('exit', () => {
    const usage = process.resourceUsage();
    const stats = {
      loop_delay: { max_ms: ms(whole.max), p99_ms: ms(whole.percentile(99)), p50_ms: ms(whole.percentile(50)), mean_ms: ms(whole.mean), samples: whole.count, windows },
      cpu_user_s: usage.userCPUTime / 1e6,
      cpu_system_s: usage.systemCPUTime / 1e6,
      max_rss_bytes: usage.maxRSS * 1024,
    };
    writeFileSync(file, JSON.stringify(stats) + '\n');
  });
}
