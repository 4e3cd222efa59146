// What the bench does with a forwarder's stdout. Every reader takes raw chunks with the time they
// were read, and ends with a result. Frames readers understand relay's worker_stream frames and
// the baseline's {worker, data} lines; raw readers work on any text (pipes, concurrently, parallel).
import { createHash } from 'node:crypto';

const DIGEST = /sim-agent sha256=([0-9a-f]{64}) bytes=(\d+)/g;
const TICK = /tick (\d+\.\d+)/g;

/**
 * Calls onMatch for each match of `pattern` in a byte stream, across chunk boundaries: the last
 * `keep` bytes are searched again with the next chunk, and a match is new only if it ends past them.
 */
function streamMatcher(pattern, keep, onMatch) {
  let carry = '';
  return (chunk, at) => {
    const text = carry + chunk.toString('latin1');
    for (const m of text.matchAll(pattern)) if (m.index + m[0].length > carry.length) onMatch(m, at);
    carry = text.slice(-keep);
  };
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Counts bytes, and the agents' digest lines (so a raw stream can be checked by byte count).
 * `extraLines`: exact lines the forwarder adds of its own (concurrently's "… exited with code 0").
 */
export function countReader(extraLines = []) {
  let bytes = 0;
  let extra = 0;
  const digests = [];
  const matchers = [streamMatcher(DIGEST, 128, (m) => digests.push({ sha256: m[1], bytes: Number(m[2]), lineBytes: m[0].length + 1 }))];
  if (extraLines.length) {
    const longest = Math.max(...extraLines.map((l) => Buffer.byteLength(l)));
    matchers.push(streamMatcher(new RegExp(extraLines.map(escape).join('|'), 'g'), longest, (m) => (extra += Buffer.byteLength(m[0]))));
  }
  return {
    push(chunk, at) {
      bytes += chunk.length;
      for (const match of matchers) match(chunk, at);
    },
    result() {
      const payload = digests.reduce((n, d) => n + d.bytes, 0);
      // A raw pipe carries the agents' bytes untouched: all of them, plus each digest line.
      const expectedRaw = payload + digests.reduce((n, d) => n + d.lineBytes, 0);
      return { bytes, digests: digests.length, payload, extraBytes: extra, complete: bytes - extra === expectedRaw };
    },
  };
}

/** NDJSON lines from chunks. */
function lineSplitter(onLine) {
  let partial = [];
  return (chunk) => {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      partial.push(chunk.subarray(start, nl));
      onLine(Buffer.concat(partial).toString('utf8'));
      partial = [];
      start = nl + 1;
    }
    if (start < chunk.length) partial.push(chunk.subarray(start));
  };
}

/**
 * One worker's transcript, hashed as it streams. The terminal turned each "\n" into "\r\n" (ONLCR);
 * that is undone before hashing. The last HOLD characters are held back, because the agent's own
 * digest line at the end covers everything before it but not itself.
 */
const HOLD = 256;
function transcript() {
  const hash = createHash('sha256');
  let bytes = 0;
  let held = '';
  return {
    feed(data) {
      held += data;
      if (held.length <= HOLD * 2) return;
      let cut = held.length - HOLD;
      if (held[cut - 1] === '\r') cut -= 1; // never split a "\r\n"
      const part = held.slice(0, cut).replaceAll('\r\n', '\n');
      hash.update(part);
      bytes += Buffer.byteLength(part);
      held = held.slice(cut);
    },
    check() {
      const tail = held.replaceAll('\r\n', '\n');
      const at = tail.lastIndexOf('sim-agent sha256=');
      if (at < 0) return { ok: false, expected: NaN, got: bytes + Buffer.byteLength(tail) };
      hash.update(tail.slice(0, at));
      bytes += Buffer.byteLength(tail.slice(0, at));
      const [, sha, n] = /sha256=([0-9a-f]{64}) bytes=(\d+)/.exec(tail.slice(at)) ?? [];
      return { ok: hash.digest('hex') === sha && bytes === Number(n), expected: Number(n), got: bytes };
    },
  };
}

/** Checks every worker's transcript against the digest its agent printed last. */
export function verifyReader() {
  const workers = new Map();
  let bytes = 0;
  const split = lineSplitter((line) => {
    const f = JSON.parse(line);
    if (typeof f.data !== 'string' || !f.worker) return;
    if (!workers.has(f.worker)) workers.set(f.worker, transcript());
    workers.get(f.worker).feed(f.data);
  });
  return {
    push(chunk) {
      bytes += chunk.length;
      split(chunk);
    },
    result() {
      const checks = [...workers.values()].map((t) => t.check());
      const lost = checks.reduce((n, c) => n + Math.max(0, (c.expected || 0) - c.got), 0);
      return { bytes, workers: checks.length, intact: checks.filter((c) => c.ok).length, lostBytes: lost, complete: checks.every((c) => c.ok) };
    },
  };
}

/** Delay from each tick's embedded time to the moment its chunk was read, in ms. */
export function latencyReader() {
  const delays = [];
  const match = streamMatcher(TICK, 32, (m, at) => delays.push(at - Number(m[1])));
  return { push: match, result: () => ({ delays }) };
}

/** Per-worker durations reported by the forwarder (relay's worker_exited, the baseline's exit line). */
export function durationsReader() {
  const durations = [];
  const split = lineSplitter((line) => {
    if (!line.includes('duration_ms')) return;
    const f = JSON.parse(line);
    if (f.worker && typeof f.duration_ms === 'number') durations.push(f.duration_ms);
  });
  return { push: (chunk) => split(chunk), result: () => ({ durations }) };
}

/**
 * relay's frames, sized: bytes on stdout, frames by type, the worker output they carry (the sum of
 * worker_exited `bytes`, read from the terminals) and, beside it, the UTF-8 length of all
 * worker_stream data (equal unless invalid bytes were replaced).
 */
export function frameBytesReader() {
  let bytes = 0;
  let exitedBytes = 0;
  let streamBytes = 0;
  const frames = {};
  const split = lineSplitter((line) => {
    const f = JSON.parse(line);
    frames[f.type] = (frames[f.type] ?? 0) + 1;
    if (f.type === 'worker_exited') exitedBytes += f.bytes;
    if (f.type === 'worker_stream') streamBytes += Buffer.byteLength(f.data);
  });
  return {
    push(chunk) {
      bytes += chunk.length;
      split(chunk);
    },
    result: () => ({ bytes, exitedBytes, streamBytes, frames }),
  };
}
