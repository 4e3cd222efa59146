// The failure modes relay exists for, each against the built CLI with real processes, pipes and
// signals. Every test here fails on the naive design (ignored write() results, an unraced
// 'drain', plain node-pty, signalling only the worker's own pid).
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { openSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Frame } from '../src/frames/types.js';
import { exited, parseFrames, readFrames, shell, spawnRelay, waitForOutput } from './helpers/cli.js';
import { processesMarked, waitGone } from './helpers/procs.js';
import { tmp } from './helpers/temp.js';
import { transcripts } from './helpers/frames.js';

const AGENT = ['--', process.execPath, 'dist/sim/main.js'];

/** The agent's --digest line covers what it wrote; the terminal added "\r" before each "\n". */
function digestHolds(transcript: string): boolean {
  const text = transcript.replaceAll('\r\n', '\n');
  const at = text.lastIndexOf('sim-agent sha256=');
  if (at < 0) return false;
  const body = Buffer.from(text.slice(0, at));
  return text.slice(at).trim() === `sim-agent sha256=${createHash('sha256').update(body).digest('hex')} bytes=${body.length}`;
}

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0);
}

describe('faults', () => {
  it('stalled reader: a SIGSTOPped reader for 10 s pauses 9 workers × 20 MB, memory stays bounded, every byte arrives in order', async () => {
    const out = join(tmp(), 'frames.ndjson');
    const relay = spawnRelay(['fanout', '-w', '9', '--progress', 'none', ...AGENT, '--duration', '0', '--bytes', '20MB', '--digest'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const outFd = openSync(out, 'w');
    const watcher = watch(out);
    const written = once(watcher, 'change');
    const reader = spawn('cat', [], { stdio: [relay.stdout!, outFd, 'inherit'] });
    // Once output flows, stop the reader and watch relay for 10 s while it cannot write.
    await written;
    watcher.close();
    reader.kill('SIGSTOP');
    let peak = 0;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      peak = Math.max(peak, rssKiB(relay.pid!));
      await new Promise((r) => setTimeout(r, 200));
    }
    reader.kill('SIGCONT');
    expect((await exited(relay)).code).toBe(0);
    await exited(reader);
    // Documented bound (docs/reliability.md): Node's own ~70 MiB, V8's young generation, ~2 MiB of
    // frames. Without backpressure this run passes 300 MiB and grows with the output.
    expect(peak).toBeLessThan(200 * 1024);
    const frames = await readFrames(out);
    expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i + 1));
    const all = transcripts(frames);
    expect(all.size).toBe(9);
    for (const t of all.values()) expect(digestHolds(t)).toBe(true);
  });

  it('stalled reader: SIGINT during the stall stops the workers within a second and relay exits 130', async () => {
    const mark = randomUUID();
    const relay = spawnRelay(['fanout', '-w', '4', '--progress', 'none', '--grace', '500ms', ...AGENT, '--duration', '0', '--bytes', '50MB'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { RELAY_TEST_MARK: mark },
    });
    // A reader that takes the first frames (every worker has started and output flows), then nothing.
    await new Promise<void>((resolve) => {
      let seen = '';
      const onData = (d: Buffer): void => {
        seen += d.toString();
        if (seen.split('"type":"worker_started"').length > 4 && seen.includes('"type":"worker_stream"')) {
          relay.stdout!.off('data', onData).pause();
          resolve();
        }
      };
      relay.stdout!.on('data', onData);
    });
    expect(processesMarked(mark).length).toBeGreaterThan(1);
    const sent = Date.now();
    relay.kill('SIGINT');
    const workers = processesMarked(mark).filter((pid) => pid !== relay.pid);
    expect(await waitGone(workers, 1000)).toEqual([]);
    const { code } = await exited(relay);
    expect(code).toBe(130);
    expect(Date.now() - sent).toBeLessThan(3000);
  });

  it('reader goes away: `relay | head -n 5` exits 141 under pipefail, promptly, with no stack trace and no process left', async () => {
    const mark = randomUUID();
    const started = Date.now();
    const r = await shell(`relay fanout -w 4 --progress none ${AGENT.join(' ')} --duration 10s --bytes 1MB | head -n 5 >/dev/null`, {
      env: { RELAY_TEST_MARK: mark },
    });
    expect(r.status).toBe(141);
    expect(Date.now() - started).toBeLessThan(5000); // the agents would run 10 s
    expect(r.stderr).not.toMatch(/Error|at .*\.js/);
    expect(processesMarked(mark)).toEqual([]);
  });

  it('last bytes before exit: 200 workers that write 200 kB and exit at once lose nothing', async () => {
    const dir = tmp();
    const file = join(dir, 'payload.txt');
    const payload = Array.from({ length: 2500 }, (_, i) => `line ${i} ${'abcdefghij'.repeat(7)}`).join('\n') + '\nEND-MARKER\n';
    writeFileSync(file, payload);
    const r = await shell(`relay fanout -w 200 --progress none -- cat ${file} > ${dir}/out.ndjson`);
    expect(r.status).toBe(0);
    const all = transcripts(await readFrames(join(dir, 'out.ndjson')));
    expect(all.size).toBe(200);
    const want = createHash('sha256').update(payload).digest('hex');
    const lost = [...all.values()].filter((t) => createHash('sha256').update(t.replaceAll('\r\n', '\n')).digest('hex') !== want);
    expect(lost).toHaveLength(0);
  });

  it.each([
    ['SIGINT', 130, 'interrupted'],
    ['SIGTERM', 143, 'terminated'],
  ] as const)('%s stops every worker\'s process group (grandchildren too), writes run_finished and exits %i', async (signal, code, reason) => {
    const mark = randomUUID();
    const relay = spawnRelay(['fanout', '-w', '3', '--progress', 'none', '--', 'bash', '-c', 'sleep 300 & echo "ready $!"; wait'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { RELAY_TEST_MARK: mark },
    });
    let text = '';
    relay.stdout!.on('data', (d: Buffer) => (text += d.toString()));
    while ((text.match(/ready \d+/g) ?? []).length < 3) await waitForOutput(relay.stdout!, /ready \d+/);
    relay.kill(signal);
    expect((await exited(relay)).code).toBe(code);
    expect(parseFrames(text).at(-1)).toMatchObject({ type: 'run_finished', reason, exit_code: code, counts: { cancelled: 3 } });
    expect(await waitGone(processesMarked(mark), 2000)).toEqual([]);
  });

  it('a second Ctrl-C kills workers that ignore SIGTERM at once instead of waiting out the grace period', async () => {
    const mark = randomUUID();
    const relay = spawnRelay(['fanout', '-w', '2', '--progress', 'none', '--grace', '60s', '--', 'bash', '-c', 'trap "" TERM INT; echo ready; while :; do sleep 1; done'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { RELAY_TEST_MARK: mark },
    });
    await waitForOutput(relay.stdout!, /ready[\s\S]*ready/);
    relay.kill('SIGINT');
    // Signals are not queued: send the second only once the first was handled.
    await waitForOutput(relay.stderr!, /SIGINT: stopping workers/);
    relay.kill('SIGINT');
    const started = Date.now();
    expect((await exited(relay)).code).toBe(130);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await waitGone(processesMarked(mark), 2000)).toEqual([]);
  });

  it('hostile output (random bytes, invalid UTF-8, NUL, lone surrogates, U+2028, a 1 MB line) keeps every stdout line one valid JSON object', async () => {
    const dir = tmp();
    const script = [
      'head -c 1000000 /dev/urandom',
      "printf '\\377\\376\\000\\355\\240\\200 \\342\\200\\250 \\342\\200\\251 end\\n'",
      "head -c 1000000 /dev/zero | tr '\\0' 'x'",
    ].join('; ');
    const r = await shell(`relay fanout -w 3 --progress none -- sh -c "${script}" > ${dir}/out.ndjson && jq -c 'select(.type=="run_finished")' ${dir}/out.ndjson`);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true });
    const text = readFileSync(join(dir, 'out.ndjson'), 'utf8');
    expect(text).not.toMatch(/[\u2028\u2029]/);
    const frames = parseFrames(text);
    expect(frames.every((f) => typeof f === 'object' && f !== null && f.v === 1)).toBe(true);
    const t = transcripts(frames).get('w1')!;
    expect(t).toContain('\u2028'); // escaped on the wire, intact after parsing
    expect(t.endsWith('x'.repeat(1000))).toBe(true);
  });

  it('workers do not hold their siblings\' terminals (node-pty issue 657): only 0, 1, 2 are terminals', async () => {
    // The four wait for each other, so every sibling's terminal is open while each lists its own.
    const dir = tmp();
    const r = await shell(`relay fanout -w 4 --progress none -- sh -c 'touch ${dir}/{#}; while [ $(ls ${dir} | wc -l) -lt 4 ]; do sleep 0.02; done; ls -l /proc/$$/fd'`);
    expect(r.status).toBe(0);
    const listings = [...transcripts(parseFrames(r.stdout)).values()];
    expect(listings).toHaveLength(4);
    for (const l of listings) expect(l).not.toContain('ptmx');
  });
});

