// 2. Stall: 9 workers each print BYTES while the reader takes nothing for STALL ms, then reads all.
import { measure } from '../lib/proc.js';
import { countReader, verifyReader } from '../lib/readers.js';
import { summary } from '../lib/stats.js';
import { AGENT, TOOLS } from '../lib/tools.js';

const WORKERS = 9;
const RSS_TARGET_MB = 80; // decimal: 80e6 bytes (76.3 MiB)
const DELAY_TARGET_MS = 50;

/**
 * The largest event-loop delay while the reader was stalled: over relay's half-second windows
 * that lie inside the stall, leaving out the first second (start-up: loading, spawning).
 */
function stallDelay(m) {
  const windows = m.loopDelay?.windows;
  if (!windows || !m.stall) return undefined;
  const inside = windows.filter((w) => w.end - 500 >= m.stall.from + 1000 && w.end <= m.stall.to);
  return inside.length ? Math.max(...inside.map((w) => w.max_ms)) : undefined;
}

export async function stall({ bytes, stallMs, runs, comparisonRuns = runs }, log) {
  const argv = [...AGENT, '--bytes', bytes, '--duration', '0', '--digest', '--seed', '{#}'];
  const names = Object.keys(TOOLS).filter((n) => TOOLS[n].forwarder !== false);
  const samples = {};
  for (let r = 0; r < runs; r++) {
    for (const name of names) {
      if (r >= comparisonRuns && !['relay', 'baseline'].includes(name)) continue; // time budget
      const tool = TOOLS[name];
      // Frames can be checked worker by worker against each agent's digest; raw streams by byte count.
      const reader = tool.frames ? verifyReader() : countReader(tool.extraLines?.(WORKERS, argv));
      const m = await measure({ cmd: tool.cmd(WORKERS, argv), reader, stallMs, debugStats: tool.stats, poll: !tool.stats });
      const complete = m.read.complete && (tool.frames ? m.read.workers === WORKERS : m.read.digests === WORKERS);
      const during = stallDelay(m);
      log(`stall ${name} run ${r + 1}: peak RSS ${(m.maxRssBytes / 2 ** 20).toFixed(0)} MiB, loop delay max ${during ?? '-'} ms during the stall, ${m.loopDelay?.max_ms ?? '-'} ms whole run, complete ${complete}`);
      (samples[name] ??= []).push({ rss: m.maxRssBytes, delay: during, delayWhole: m.loopDelay?.max_ms, delayP99: m.loopDelay?.p99_ms, complete, lost: m.read.lostBytes, wallS: m.wallMs / 1000 });
    }
  }
  const tools = Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, {
    terminal: TOOLS[name].terminal,
    peak_rss_mib: summary(s.map((x) => x.rss / 2 ** 20)),
    loop_delay_max_ms: summary(s.map((x) => x.delay ?? NaN)),
    loop_delay_max_whole_run_ms: summary(s.map((x) => x.delayWhole ?? NaN)),
    loop_delay_p99_ms: summary(s.map((x) => x.delayP99 ?? NaN)),
    wall_s: summary(s.map((x) => x.wallS)),
    every_byte_arrived: s.every((x) => x.complete),
    runs_complete: s.filter((x) => x.complete).length,
    bytes_lost_max: TOOLS[name].frames ? Math.max(...s.map((x) => x.lost ?? 0)) : undefined,
  }]));
  const relay = tools.relay;
  return {
    workers: WORKERS, bytes_per_worker: bytes, stall_ms: stallMs, runs, tools,
    targets: { peak_rss_mb: `≤ ${RSS_TARGET_MB} MB (${(RSS_TARGET_MB * 1e6 / 2 ** 20).toFixed(1)} MiB)`, loop_delay_max_ms: `< ${DELAY_TARGET_MS}`, every_byte_arrived: true },
    met: {
      peak_rss: relay.peak_rss_mib.median * 2 ** 20 <= RSS_TARGET_MB * 1e6,
      loop_delay: relay.loop_delay_max_ms.median < DELAY_TARGET_MS,
      nothing_lost: relay.every_byte_arrived,
    },
  };
}
