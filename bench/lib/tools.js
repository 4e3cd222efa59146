// The forwarders under comparison, each as a function from (workers, worker command) to a
// command line. The worker command's arguments may hold {#}, the worker's number (1..N).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const node = process.execPath;
export const RELAY = [node, `${ROOT}bin/run.js`];
export const AGENT = [node, `${ROOT}dist/sim/main.js`];
export const TICKER = [node, `${ROOT}bench/fixtures/ticker.js`];

const quote = (s) => `'${String(s).replaceAll("'", `'\\''`)}'`;
const fill = (argv, i) => argv.map((a) => a.replaceAll('{#}', String(i)));
const range = (n) => Array.from({ length: n }, (_, i) => i + 1);

function concurrentlyBin() {
  try {
    const require = createRequire(import.meta.url);
    const pkg = require.resolve('concurrently/package.json');
    const bin = fileURLToPath(new URL('dist/bin/concurrently.js', `file://${pkg}`));
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

/** The path of a program on PATH, or undefined. */
function which(program) {
  try {
    return execFileSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** util-linux `script` (its -e, -f and -c options); BSD's takes other arguments. */
function scriptBin() {
  const bin = which('script');
  try {
    return bin && execFileSync(bin, ['--version'], { encoding: 'utf8' }).includes('util-linux') ? bin : undefined;
  } catch {
    return undefined;
  }
}

/** RELAY_BENCH_COMPARE=DIR: another checkout of relay (built) to run beside this one, e.g. the commit before a change. */
const COMPARE = process.env.RELAY_BENCH_COMPARE;
const CONCURRENTLY = concurrentlyBin();
const PARALLEL = which('parallel');
const SCRIPT = scriptBin();

/** RELAY_BENCH_FLAGS: extra fanout flags (e.g. "--coalesce 0") to measure relay's options against each other. */
export const RELAY_FLAGS = process.env.RELAY_BENCH_FLAGS?.split(' ').filter(Boolean) ?? [];

/**
 * name → { terminal, frames, stats, cmd(workers, argv) }. `terminal`: workers get a terminal;
 * `frames`: stdout is JSON lines per chunk; `stats`: exact CPU/RSS through RELAY_DEBUG_STATS.
 */
export const TOOLS = {
  relay: { terminal: true, frames: true, stats: true, cmd: (n, argv) => [...RELAY, 'fanout', '--workers', String(n), ...RELAY_FLAGS, '--', ...argv] },
  baseline: { terminal: true, frames: true, stats: true, cmd: (n, argv) => [node, `${ROOT}bench/baseline.js`, '--workers', String(n), '--', ...argv] },
  ...(COMPARE && {
    'relay (compare)': { terminal: true, frames: true, stats: true, cmd: (n, argv) => [node, `${COMPARE}/bin/run.js`, 'fanout', '--workers', String(n), '--', ...argv] },
  }),
  // The pipe ceiling: every worker writes straight into the reader's pipe; no forwarder at all.
  ceiling: {
    terminal: false,
    frames: false,
    stats: false,
    forwarder: false,
    cmd: (n, argv) => ['/bin/sh', '-c', `${range(n).map((i) => `${fill(argv, i).map(quote).join(' ')} &`).join(' ')} wait`],
  },
  ...(CONCURRENTLY && {
    concurrently: {
      terminal: false,
      frames: false,
      stats: false,
      // Not --raw (that hands the workers relay's stdout: no forwarding at all); no prefix, so bytes can
      // be counted. concurrently strips quotes around a whole command: pass the words bare.
      cmd: (n, argv) => [node, CONCURRENTLY, '--prefix', 'none', ...range(n).map((i) => fill(argv, i).join(' '))],
      // What it prints of its own on stdout, so the bytes it forwarded can be counted exactly.
      extraLines: (n, argv) => range(n).map((i) => `${fill(argv, i).join(' ')} exited with code 0\n`),
    },
  }),
  ...(PARALLEL && {
    parallel: {
      terminal: false,
      frames: false,
      stats: false,
      cmd: (n, argv) => [PARALLEL, '--will-cite', '--line-buffer', '-j', String(n), ...argv.map((a) => a.replaceAll('{#}', '{}')), ':::', ...range(n).map(String)],
    },
  }),
};

/**
 * The native reader: one util-linux `script -qfec CMD /dev/null` per worker, each giving its
 * command a terminal and copying what the terminal shows to its stdout (flushed at every write),
 * with no forwarder process in between. A list of commands, one per worker, to start together.
 */
export const NATIVE = SCRIPT && {
  terminal: true,
  cmds: (n, argv) => range(n).map((i) => [SCRIPT, '-qfec', fill(argv, i).map(quote).join(' '), '/dev/null']),
};

export const missingTools = () => [...(CONCURRENTLY ? [] : ['concurrently']), ...(PARALLEL ? [] : ['parallel (GNU)']), ...(SCRIPT ? [] : ['script (util-linux)'])];
