#!/usr/bin/env node
// npm run bench [-- --quick] [--only throughput,stall,latency,scale,startup,frames] [--runs N] [--out FILE]
// npm run bench -- --print FILE    the table of an earlier run's JSON
// Runs the scenarios (see bench/README.md), prints a table, writes JSON to bench/results/.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { printTable } from './lib/table.js';
import { ROOT, missingTools } from './lib/tools.js';
import { frames } from './scenarios/frames.js';
import { latency } from './scenarios/latency.js';
import { scale } from './scenarios/scale.js';
import { stall } from './scenarios/stall.js';
import { startup } from './scenarios/startup.js';
import { throughput } from './scenarios/throughput.js';

const { values: flags } = parseArgs({
  options: { quick: { type: 'boolean' }, only: { type: 'string' }, runs: { type: 'string' }, out: { type: 'string' }, print: { type: 'string' } },
});
if (flags.print) {
  // --print FILE: the table of an earlier run.
  printTable(JSON.parse(readFileSync(flags.print, 'utf8')));
  process.exit(0);
}

const FULL = {
  throughput: { bytes: '20MB', runs: 4, comparisonRuns: 2 },
  stall: { bytes: '50MB', stallMs: 10_000, runs: 3, comparisonRuns: 1 },
  latency: { rate: 100, durationMs: 5000, runs: 3 },
  scale: { workers: [256, 1000], agentDuration: '2s', runs: 2 },
  startup: { runs: 15 },
  frames: { runs: 3 },
};
const QUICK = {
  throughput: { bytes: '5MB', runs: 2 },
  stall: { bytes: '20MB', stallMs: 3000, runs: 1 },
  latency: { rate: 100, durationMs: 2000, runs: 1 },
  scale: { workers: [64], agentDuration: '1s', runs: 1 },
  startup: { runs: 5 },
  frames: { runs: 1 },
};
const SCENARIOS = { throughput, stall, latency, scale, startup, frames };

if (!existsSync(`${ROOT}dist/sim/main.js`) || !existsSync(`${ROOT}dist/commands/fanout.js`)) {
  process.stderr.write('bench: dist/ is missing: run `npm run build` first\n');
  process.exit(1);
}
if (process.platform !== 'linux') process.stderr.write('bench: written for Linux (/proc, /bin/sh); numbers elsewhere may be incomplete\n');

const config = flags.quick ? QUICK : FULL;
const only = flags.only ? flags.only.split(',') : Object.keys(SCENARIOS);
for (const name of only) if (!SCENARIOS[name]) throw new Error(`--only: unknown scenario ${name}`);
const missing = missingTools();
if (missing.length) process.stderr.write(`bench: not installed, skipped: ${missing.join(', ')}\n`);

const log = (line) => process.stderr.write(`  ${line}\n`);
const began = Date.now();
const machine = {
  cpu: os.cpus()[0]?.model, cores: os.cpus().length, memory_gib: Math.round(os.totalmem() / 2 ** 30),
  os: `${os.type()} ${os.release()}`, load_before: os.loadavg(),
};
const results = {};
for (const name of only) {
  const options = { ...config[name], ...(flags.runs ? { runs: Number(flags.runs) } : {}) };
  process.stderr.write(`bench: ${name} ${JSON.stringify(options)}\n`);
  const t = Date.now();
  const load = os.loadavg();
  results[name] = { ...(await SCENARIOS[name](options, log)), seconds: Math.round((Date.now() - t) / 1000), load_before: load, load_after: os.loadavg() };
}
machine.load_after = os.loadavg();

const report = {
  date: new Date(began).toISOString(), node: process.version, quick: Boolean(flags.quick), machine,
  total_seconds: Math.round((Date.now() - began) / 1000), not_installed: missing, scenarios: results,
};
printTable(report);
const out = flags.out ?? `${ROOT}bench/results/${flags.quick ? 'latest-quick' : 'latest'}.json`;
mkdirSync(new URL('.', `file://${out}`), { recursive: true });
writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
process.stderr.write(`bench: ${report.total_seconds} s; results in ${out}\n`);
