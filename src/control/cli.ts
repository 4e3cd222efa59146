// `relay ls` and `relay send`, as the commands call them.
import { elapsed } from '../units.js';
import { Connection, expectOk, liveRuns, localUser, pickRun, type LiveRun } from './client.js';
import type { RunInfo } from './protocol.js';

export interface LsOptions {
  run: string | undefined;
  json: boolean;
  stdout: NodeJS.WritableStream;
}

/** Live runs (and, for one run, its workers); dead runs' sockets are cleaned up on the way. */
export async function listRuns(o: LsOptions): Promise<void> {
  const runs = o.run !== undefined ? [await pickRun(o.run)] : await liveRuns();
  if (o.json) return void o.stdout.write(`${JSON.stringify(runs.map((r) => r.info))}\n`);
  if (runs.length === 0) return;
  o.stdout.write(table(['RUN', 'PID', 'STARTED', 'WORKERS', 'TASKS', 'CWD'], runs.map(({ info }) => runRow(info))));
  if (runs.length === 1) o.stdout.write(`\n${workersTable(runs[0]!)}`);
}

function runRow(info: RunInfo): string[] {
  const started = new Date(info.started_at).toLocaleTimeString([], { hour12: false });
  const { total, done, failed } = info.tasks;
  return [info.run_id.slice(0, 8), String(info.pid), started, String(info.workers), `${done}/${total}${failed ? ` (${failed} failed)` : ''}`, info.cwd];
}

function workersTable({ info }: LiveRun): string {
  const rows = info.slots.map((s) => [
    s.worker,
    s.task_id ?? '-',
    s.driver ? `${s.state} (driven by ${s.driver})` : s.watchers > 0 ? `${s.state} (${s.watchers} watching)` : s.state,
    elapsed(s.elapsed_ms),
    s.last_line.slice(0, 80),
  ]);
  return table(['WORKER', 'TASK', 'STATE', 'ELAPSED', 'LAST LINE'], rows);
}

function table(head: string[], rows: string[][]): string {
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd() + '\n').join('');
}

export interface SendOptions {
  run: string | undefined;
  target: string;
  text: string;
  enter: boolean;
  stdout: NodeJS.WritableStream;
}

/** Types TEXT (and Enter) into a worker of a live run. */
export async function sendText(o: SendOptions): Promise<void> {
  const { path } = await pickRun(o.run);
  const conn = await Connection.open(path);
  try {
    const text = o.enter ? `${o.text}\r` : o.text;
    expectOk(await conn.request({ op: 'send', target: o.target, text, user: localUser() }));
  } finally {
    conn.close();
  }
}
