import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as sleepMs } from 'node:timers/promises';
import type { SimOptions } from './options.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildEventsScript, buildRateLimitedScript } from './events.js';
import { readAnswer } from './input.js';
import { buildScript, type Script } from './script.js';

/** Writes, waiting for 'drain' raced against 'error' and 'close' so a dead terminal never hangs us. */
async function write(out: NodeJS.WritableStream, text: string): Promise<void> {
  if (out.write(text)) return;
  const ac = new AbortController();
  try {
    await Promise.race([once(out, 'drain', { signal: ac.signal }), once(out, 'close', { signal: ac.signal }).then(() => { throw new Error('output closed'); })]);
  } finally {
    ac.abort();
  }
}

/**
 * --rate-limit N: is this one of the first N sessions? Each takes the first free number by making
 * its directory (mkdir is atomic), so concurrent sessions never take the same one.
 */
function rateLimited(o: SimOptions): boolean {
  if (o.rateLimit === 0 || !o.rateLimitDir) return false;
  mkdirSync(o.rateLimitDir, { recursive: true });
  for (let i = 1; i <= o.rateLimit; i++) {
    try {
      mkdirSync(join(o.rateLimitDir, String(i)));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return false;
}

/** Runs the simulated agent on `out` (answers, with --ask, come from `input`); returns its exit code (never calls process.exit). */
export async function runSim(
  o: SimOptions,
  out: NodeJS.WritableStream,
  sleep: (ms: number) => Promise<unknown> = sleepMs,
  input: NodeJS.ReadableStream = process.stdin,
): Promise<number> {
  const script: Script = o.events ? (rateLimited(o) ? buildRateLimitedScript(o, Date.now()) : buildEventsScript(o)) : buildScript(o, process.env.RELAY_WORKER ?? 'w?');
  const hash = createHash('sha256');
  let bytes = 0;
  const pace = o.durationMs > 0 ? o.durationMs / script.writes.length : 0;
  const started = Date.now();
  const emit = async (text: string): Promise<void> => {
    await write(out, text);
    hash.update(text);
    bytes += Buffer.byteLength(text);
  };
  for (const [i, text] of script.writes.entries()) {
    if (script.question?.at === i) {
      const q = script.question;
      await emit(q.prompt);
      const answer = await readAnswer(input, o.askTimeoutMs);
      if (answer === null) {
        for (const t of q.unanswered) await emit(t);
        return 1;
      }
      for (const t of q.answered(answer)) await emit(t);
    }
    await emit(text);
    const due = Math.max((o.rate > 0 ? (bytes / o.rate) * 1000 : 0) - (Date.now() - started), pace);
    if (due >= 1) await sleep(due);
  }
  if (o.digest) await write(out, `sim-agent sha256=${hash.digest('hex')} bytes=${bytes}\n`);
  if (o.hang) await new Promise(() => setInterval(() => {}, 1 << 30));
  return script.exitCode;
}
