import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * RELAY_DEBUG_STATS=FILE: for the benchmarks (bench/). Samples the event loop's delay for the
 * whole process and, at exit, writes it to FILE as one JSON object with CPU time and peak RSS
 * (exact, from the kernel). Off, and costless, when the variable is unset.
 */
export function recordDebugStats(file = process.env.RELAY_DEBUG_STATS): void {
  if (!file) return;
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  process.once('exit', () => {
    delay.disable();
    const usage = process.resourceUsage();
    const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
    const stats = {
      loop_delay: { max_ms: ms(delay.max), p99_ms: ms(delay.percentile(99)), p50_ms: ms(delay.percentile(50)), mean_ms: ms(delay.mean), samples: delay.count },
      cpu_user_s: usage.userCPUTime / 1e6,
      cpu_system_s: usage.systemCPUTime / 1e6,
      max_rss_bytes: usage.maxRSS * 1024,
    };
    writeFileSync(file, JSON.stringify(stats) + '\n');
  });
}
