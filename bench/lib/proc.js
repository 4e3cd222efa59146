// Runs one forwarder to completion with a reader on its stdout, and measures it: wall time,
// plus CPU time and peak RSS of the forwarder process itself (exact, from RELAY_DEBUG_STATS, for
// relay and the baseline; otherwise polled from /proc, which is accurate to the poll interval).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const epochNow = () => performance.timeOrigin + performance.now();
const CLK_TCK = 100; // Linux USER_HZ
const TIME = '/usr/bin/time';

/** Polls /proc/PID for the peak RSS (VmHWM) and CPU ticks of one process. */
function pollProc(pid, everyMs = 100) {
  const last = { maxRssBytes: NaN, cpuS: NaN };
  const sample = () => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
      if (hwm) last.maxRssBytes = Number(hwm[1]) * 1024;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      last.cpuS = (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime + stime
    } catch {
      // gone
    }
  };
  const timer = setInterval(sample, everyMs);
  sample();
  return () => {
    clearInterval(timer);
    return last;
  };
}

/**
 * @param {object} o
 * @param {string[]} o.cmd  program and arguments
 * @param {{push(chunk: Buffer, at: number): void, result(): object}} o.reader
 * @param {number} [o.stallMs]  the reader takes nothing for this long after the start
 * @param {boolean} [o.debugStats]  ask the forwarder for RELAY_DEBUG_STATS
 * @param {boolean} [o.poll]  poll /proc for CPU and RSS
 * @param {boolean} [o.treeCpu]  also the CPU time of the forwarder and all its workers, through
 *   /usr/bin/time when it exists (the kernel's rusage of the process and its reaped children)
 */
export async function measure({ cmd, reader, stallMs = 0, debugStats = false, poll = false, treeCpu = false, cwd }) {
  const timed = treeCpu && existsSync(TIME);
  if (timed) cmd = [TIME, '-f', 'BENCH_TIME %U %S', ...cmd];
  const dir = debugStats ? mkdtempSync(join(tmpdir(), 'relay-bench-')) : undefined;
  const statsFile = dir && join(dir, 'stats.json');
  const env = { ...process.env, ...(statsFile ? { RELAY_DEBUG_STATS: statsFile } : {}) };
  delete env.FORCE_COLOR;
  const started = performance.now();
  const child = spawn(cmd[0], cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env, cwd });
  const stopPoll = poll ? pollProc(child.pid) : undefined;
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
  const read = () => child.stdout.on('data', (chunk) => reader.push(chunk, epochNow())).resume();
  let stall;
  if (stallMs > 0) {
    child.stdout.pause();
    const from = Date.now();
    setTimeout(() => {
      stall = { from, to: Date.now() };
      read();
    }, stallMs);
  } else read();
  const [code, signal] = await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c, s) => resolve([c, s]));
  });
  const wallMs = performance.now() - started;
  const polled = stopPoll?.();
  let stats;
  if (statsFile) {
    try {
      stats = JSON.parse(readFileSync(statsFile, 'utf8'));
    } catch {
      stats = undefined;
    }
    rmSync(dir, { recursive: true, force: true });
  }
  const cpuS = stats ? stats.cpu_user_s + stats.cpu_system_s : polled?.cpuS;
  const maxRssBytes = stats?.max_rss_bytes ?? polled?.maxRssBytes;
  if (code !== 0) process.stderr.write(`bench: ${cmd.slice(0, 4).join(' ')} … exited ${code ?? signal}\n${stderr}\n`);
  const tree = timed ? /BENCH_TIME ([\d.]+) ([\d.]+)/.exec(stderr) : null;
  const treeCpuS = tree ? Number(tree[1]) + Number(tree[2]) : undefined;
  return { code, signal, wallMs, cpuS, treeCpuS, maxRssBytes, loopDelay: stats?.loop_delay, stall, read: reader.result(), stderr };
}

/**
 * Several commands started together, each with its own reader on its stdout (the native `script`
 * readers: one process per worker). Wall time from the first spawn to the last exit.
 */
export async function measureEach({ cmds, readers }) {
  const started = performance.now();
  const ends = cmds.map((cmd, i) => new Promise((resolve, reject) => {
    const child = spawn(cmd[0], cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
    child.stdout.on('data', (chunk) => readers[i].push(chunk, epochNow()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) process.stderr.write(`bench: ${cmd.slice(0, 4).join(' ')} … exited ${code ?? signal}\n${stderr}\n`);
      resolve(code);
    });
  }));
  const codes = await Promise.all(ends);
  return { codes, wallMs: performance.now() - started, read: readers.map((r) => r.result()) };
}

/** Wall time of a command that is started and waited for, output discarded. */
export function timeRun(cmd, cwd) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd[0], cmd.slice(1), { stdio: 'ignore', cwd });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, ms: performance.now() - started }));
  });
}
