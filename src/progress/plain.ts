import type { Frame } from '../frames/types.js';
import type { RunView } from '../fanout/status.js';
import { counts, elapsed, outcome, bytes, succeeded } from './format.js';
import { GithubGroups } from './github.js';
import type { Progress } from './index.js';

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
    return counts(view.workers) + (view.paused ? '; output paused: reader is behind' : '');
  }

  private onFrame(f: Frame): void {
    const view = this.view!;
    this.groups?.add(f);
    if (f.type === 'worker_started' && f.pid !== null) this.line(`${f.worker} started pid ${f.pid}: ${f.argv.join(' ')}`);
    if (f.type === 'worker_exited') {
      const w = view.workers[f.index - 1]!;
      const verb = succeeded(w) ? '' : 'failed: ';
      const report = `${f.worker} ${verb}${outcome(w)} after ${elapsed(f.duration_ms)} (${bytes(f.bytes)})`;
      if (this.groups) this.stderr.write(this.groups.group(f.worker, `relay: ${report}`));
      else this.line(report);
    }
    if (f.type === 'run_finished') this.line(`run ${f.reason}: ${this.status().replace(/^0 running, /, '')} in ${elapsed(f.duration_ms)}`);
  }

  private line(text: string): void {
    this.stderr.write(`relay: ${text}\n`);
  }
}
