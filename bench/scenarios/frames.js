// 6. Frame bytes: the default simulated run (`relay fanout --workers 9`, no command: the built-in
// simulated agent with its default settings), bytes of frames on stdout ÷ bytes the workers wrote.
// The envelope of a worker_stream frame is ~110 bytes; coalescing (default 20ms) merges the
// agent's small writes into fewer frames. `--coalesce 0` (a frame per read) is measured beside it.
import { measure } from '../lib/proc.js';
import { frameBytesReader } from '../lib/readers.js';
import { summary } from '../lib/stats.js';
import { RELAY, RELAY_FLAGS } from '../lib/tools.js';

const WORKERS = 9;
const TARGET_RATIO = 4;

export async function frames({ runs }, log) {
  const variants = {
    relay: RELAY_FLAGS,
    'relay --coalesce 0': ['--coalesce', '0'],
  };
  const samples = {};
  for (let r = 0; r < runs; r++) {
    for (const [name, flags] of Object.entries(variants)) {
      const m = await measure({ cmd: [...RELAY, 'fanout', '--workers', String(WORKERS), ...flags], reader: frameBytesReader() });
      const { bytes, exitedBytes, streamBytes, frames: counts } = m.read;
      const ratio = bytes / exitedBytes;
      log(`frames ${name} run ${r + 1}: ${bytes} frame bytes / ${exitedBytes} output bytes = ${ratio.toFixed(2)}, ${counts.worker_stream ?? 0} worker_stream frames`);
      (samples[name] ??= []).push({ bytes, exitedBytes, streamBytes, ratio, streamFrames: counts.worker_stream ?? 0, exited: counts.worker_exited ?? 0 });
    }
  }
  const tools = Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, {
    flags: variants[name].join(' '),
    frame_bytes: summary(s.map((x) => x.bytes)),
    output_bytes: summary(s.map((x) => x.exitedBytes)),
    stream_data_utf8_bytes: summary(s.map((x) => x.streamBytes)),
    worker_stream_frames: summary(s.map((x) => x.streamFrames)),
    frame_over_output: summary(s.map((x) => x.ratio)),
    all_workers_exited: s.every((x) => x.exited === WORKERS),
  }]));
  return {
    workers: WORKERS, runs, tools,
    // RELAY_BENCH_FLAGS, when set, apply to the `relay` row: then it is not the default run.
    relay_flags: RELAY_FLAGS.join(' ') || '(defaults)',
    output_bytes_are: 'sum of worker_exited.bytes (bytes read from the terminals)',
    target: `relay frame bytes / output bytes ≤ ${TARGET_RATIO}`,
    met: tools.relay.frame_over_output.median <= TARGET_RATIO,
  };
}
