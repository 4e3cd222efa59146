#!/usr/bin/env node
// node bench/queries.js [--mb N]
// What answering terminal queries (dist/pty/queries.js) costs relay per byte of worker output,
// in one process, so that machine load matters less than in the end-to-end scenarios: the
// responder as it runs for every worker (a search for ESC per chunk, a look at each escape
// sequence), and with the cursor tracker on, as for a worker that asked a query (a TUI).
// Chunks of 4 KiB, as a terminal delivers them. Prints ns per byte and CPU seconds per 180 MB
// (the throughput scenario's 9 × 20 MB).
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { ROOT } from './lib/tools.js';

const { values: flags } = parseArgs({ options: { mb: { type: 'string', default: '20' } } });
const { TerminalQueries } = await import(`${ROOT}dist/pty/queries.js`);

const bytes = Number(flags.mb) * 1e6;
// The simulated agent's own output (what the throughput scenario carries), and a colourful one: an
// SGR sequence every ~20 bytes, as in coloured diffs and logs.
const sim = execFileSync(process.execPath, [`${ROOT}dist/sim/main.js`, '--bytes', `${flags.mb}MB`, '--duration', '0', '--seed', '1'], { maxBuffer: 2 * bytes });
const line = (i) => `\x1b[32m+\x1b[0m \x1b[1mline\x1b[0m ${i} \x1b[38;5;208mcoloured\x1b[0m text\r\n`;
let colourful = '';
for (let i = 0; colourful.length < bytes; i++) colourful += line(i);
const streams = { 'simulated agent': sim, 'colourful (SGR every ~20 B)': Buffer.from(colourful) };

function run(data, tracked) {
  const q = new TerminalQueries(120, 40);
  if (tracked) q.feed(Buffer.from('\x1b[6n'));
  const chunks = [];
  for (let i = 0; i < data.length; i += 4096) chunks.push(data.subarray(i, i + 4096));
  const start = process.cpuUsage();
  for (const c of chunks) q.feed(c);
  const used = process.cpuUsage(start);
  return (used.user + used.system) * 1000 / data.length; // ns per byte
}

const rows = [];
for (const [name, data] of Object.entries(streams)) {
  for (const tracked of [false, true]) {
    run(data, tracked); // warm-up
    const ns = [1, 2, 3].map(() => run(data, tracked)).sort((a, b) => a - b)[1];
    rows.push({ stream: name, cursor: tracked ? 'tracked (after a query)' : 'not tracked (no query yet)', ns_per_byte: ns.toFixed(2), cpu_s_per_180MB: (ns * 180e6 / 1e9).toFixed(3) });
  }
}
console.table(rows);
