#!/usr/bin/env node
// The baseline: the least a correct Node forwarder does. N workers, each in a terminal through
// node-pty's public API; every chunk becomes one JSON line on stdout; when stdout reports
// backpressure every terminal is paused until 'drain' (raced against 'error' and 'close').
// Nothing else: no progress, no scheduling, no frames protocol, no tail recovery. A last line per
// worker records its exit and duration (the scale scenario needs it).
//
//   node bench/baseline.js --workers N -- COMMAND [ARGS...]     ({#} in ARGS: the worker number)
//
// RELAY_DEBUG_STATS=FILE writes CPU time and peak RSS at exit, like relay.
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import pty from 'node-pty';

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const workers = Number(argv[argv.indexOf('--workers') + 1]);
const [file, ...args] = argv.slice(dash + 1);
if (dash < 0 || !file || !(workers > 0)) {
  process.stderr.write('usage: baseline.js --workers N -- COMMAND [ARGS...]\n');
  process.exit(2);
}

const terminals = [];
let waiting = null;

/** One JSON line out; on backpressure pause every terminal until stdout drains or fails. */
function send(record) {
  if (process.stdout.write(JSON.stringify(record) + '\n') || waiting) return;
  for (const t of terminals) t.pause();
  const ac = new AbortController();
  waiting = Promise.race([
    once(process.stdout, 'drain', { signal: ac.signal }),
    once(process.stdout, 'error', { signal: ac.signal }),
    once(process.stdout, 'close', { signal: ac.signal }),
  ]).finally(() => {
    ac.abort();
    waiting = null;
    for (const t of terminals) t.resume();
  }).catch(() => {});
}

let live = workers;
for (let i = 1; i <= workers; i++) {
  const worker = `w${i}`;
  const started = Date.now();
  const t = pty.spawn(file, args.map((a) => a.replaceAll('{#}', String(i))), {
    name: 'xterm-256color',
    cols: 120,
    rows: 40,
    cwd: process.cwd(),
    env: { ...process.env, RELAY_WORKER: worker, RELAY_WORKER_INDEX: String(i) },
  });
  terminals.push(t);
  t.onData((data) => send({ worker, data }));
  t.onExit(({ exitCode }) => {
    send({ worker, exit: exitCode, duration_ms: Date.now() - started });
    if (--live === 0) process.exitCode = 0;
  });
}
process.stdout.on('error', () => process.exit(141));

if (process.env.RELAY_DEBUG_STATS) {
  process.once('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(process.env.RELAY_DEBUG_STATS, JSON.stringify({ cpu_user_s: u.userCPUTime / 1e6, cpu_system_s: u.systemCPUTime / 1e6, max_rss_bytes: u.maxRSS * 1024 }) + '\n');
  });
}
