import type { Frame } from '../frames/types.js';
import type { RunView } from '../fanout/status.js';
import { counts, elapsed, bytes, summary, taskLabel, verdict } from './format.js';
import { GithubGroups } from './github.js';
import type { Progress } from './types.js';

const HEARTBEAT_MS = 10_000;

/** One line per event, no cursor movement: for CI logs and non-terminal stderr. */
export class PlainProgress implements Progress {
  private view: RunView | undefined;
  private unsubscribe: (() => void) | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  /** In GitHub Actions: each worker's report becomes a log group with its last lines. */
  private readonly groups: GithubGroups | undefined;

  constructor(
    private readonly stderr: NodeJS.WritableStream,
    options: { github?: boolean } = {},
  ) {
    this.groups = options.github ? new GithubGroups() : undefined;
  }

  start(view: RunView): void {
    this.view = view;
    this.unsubscribe = view.observe((f) => this.onFrame(f));
    this.heartbeat = setInterval(() => this.line(this.status()), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.heartbeat);
    this.unsubscribe?.();
  }

  private status(): string {
    const view = this.view!;
    return counts(view) + (view.paused ? '; output paused: reader is behind' : '');
  }

  /** "w3 " without a task list (one task per worker), "w3 #7 fix-login " with one. */
  private who(f: { worker: string; task: number; task_id: string; attempt: number }): string {
    return this.view!.taskList ? `${f.worker} ${taskLabel({ number: f.task, id: f.task_id, attempt: f.attempt })} ` : `${f.worker} `;
  }

  private onFrame(f: Frame): void {
    this.groups?.add(f);
    if (f.type === 'worker_started' && f.pid !== null) this.line(`${this.who(f)}started pid ${f.pid}: ${f.argv.join(' ')}`);
    if (f.type === 'worker_idle') this.line(`${this.who(f)}idle: no output for ${elapsed(f.idle_ms)}`);
    if (f.type === 'worker_exited') {
      const ended = { reason: f.reason, exitCode: f.exit_code, signal: f.signal, error: f.error ?? null };
      const report = `${this.who(f)}${verdict(ended)} after ${elapsed(f.duration_ms)} (${bytes(f.bytes)})`;
      if (this.groups) this.stderr.write(this.groups.group(f.worker, `relay: ${report}`));
      else this.line(report);
    }
    if (f.type === 'run_finished') for (const l of summary(f, this.view!.taskList)) this.line(l);
  }

  private line(text: string): void {
    this.stderr.write(`relay: ${text}\n`);
  }
}
