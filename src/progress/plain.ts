import type { Frame } from '../frames/types.js';
import type { RunView } from '../fanout/status.js';
import { counts, elapsed, bytes, summary, taskLabel, verdict } from './format.js';
import { GithubGroups } from './github.js';
import type { Progress } from './types.js';
import { safeText } from '../sanitize.js';
import { LineAssembler } from '../lines/assembler.js';
import { OutputTail } from '../lines/tail.js';
import { succeeded } from '../fanout/outcomes.js';

const HEARTBEAT_MS = 10_000;
/** Lines of a failed task's output shown in plain progress unless told otherwise. */
export const DEFAULT_FAILURE_LINES = 20;

export interface PlainOptions {
  /** In GitHub Actions: each worker's report becomes a log group with its last lines. */
  github?: boolean;
  /** The last this many lines of every failed attempt's output, after its report (0: none). */
  failureLines?: number;
  /** Every line of every worker's output as it comes, after "w3 | " (GNU parallel's --tag). */
  tag?: boolean;
}

/** One line per event, no cursor movement: for CI logs and non-terminal stderr. */
export class PlainProgress implements Progress {
  private view: RunView | undefined;
  private unsubscribe: (() => void) | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly groups: GithubGroups | undefined;
  private readonly failureLines: number;
  /** Per worker: the end of its current attempt's output (for the failure tail). */
  private readonly tails = new Map<string, OutputTail>();
  /** Per worker, with --tag: its output as lines. */
  private readonly tagged: Map<string, LineAssembler> | undefined;
  private sawStream = false;

  constructor(
    private readonly stderr: NodeJS.WritableStream,
    options: PlainOptions = {},
  ) {
    this.groups = options.github ? new GithubGroups() : undefined;
    // Tagged output already showed every line: no tail to repeat them.
    this.failureLines = options.tag ? 0 : (options.failureLines ?? DEFAULT_FAILURE_LINES);
    this.tagged = options.tag ? new Map() : undefined;
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
    if (f.type === 'worker_stream') (this.sawStream = true), this.output(f.worker, this.who(f), f.data);
    // Without worker_stream frames (--no-stream), the lines are what there is.
    if (f.type === 'worker_line' && !this.sawStream) this.outputLine(f.worker, this.who(f), f.text);
    if (f.type === 'worker_started') this.tails.delete(f.worker);
    if (f.type === 'worker_started' && f.pid !== null) this.line(`${this.who(f)}started pid ${f.pid}: ${f.argv.join(' ')}`);
    if (f.type === 'worker_idle') this.line(`${this.who(f)}idle: no output for ${elapsed(f.idle_ms)}`);
    if (f.type === 'worker_exited') {
      const ended = { reason: f.reason, exitCode: f.exit_code, signal: f.signal, error: f.error ?? null };
      const report = `${this.who(f)}${verdict(ended)} after ${elapsed(f.duration_ms)} (${bytes(f.bytes)})`;
      const rest = this.tagged?.get(f.worker)?.flush();
      if (rest !== undefined) this.stderr.write(`${this.who(f)}| ${rest}\n`);
      this.tagged?.delete(f.worker);
      if (this.groups) this.stderr.write(this.groups.group(f.worker, `relay: ${report}`));
      else this.line(report);
      // In GitHub Actions the report's group already holds its last lines.
      if (!this.groups && !succeeded(ended) && f.reason !== 'cancelled') this.failureTail(f.worker, this.who(f));
      this.tails.delete(f.worker);
    }
    if (f.type === 'run_finished') for (const l of summary(f, this.view!.taskList)) this.line(l);
  }

  /** Keeps the end of a worker's output; with --tag, prints its finished lines. */
  private output(worker: string, who: string, data: string): void {
    if (this.failureLines > 0 && !this.groups) this.tail(worker).add(data);
    if (!this.tagged) return;
    let lines = this.tagged.get(worker);
    if (!lines) this.tagged.set(worker, (lines = new LineAssembler()));
    const text = lines.push(data).map((l) => `${who}| ${l}\n`).join('');
    if (text !== '') this.stderr.write(text);
  }

  private outputLine(worker: string, who: string, text: string): void {
    if (this.failureLines > 0 && !this.groups) this.tail(worker).addLine(text);
    if (this.tagged) this.stderr.write(`${who}| ${text}\n`);
  }

  private tail(worker: string): OutputTail {
    let tail = this.tails.get(worker);
    if (!tail) this.tails.set(worker, (tail = new OutputTail()));
    return tail;
  }

  /** A failed attempt's last lines, as plain text (escape sequences dropped, redraws resolved). */
  private failureTail(worker: string, who: string): void {
    const lines = this.tails.get(worker)?.lastLines(this.failureLines) ?? [];
    if (lines.length === 0) return;
    this.line(`${who}last ${lines.length === 1 ? 'line' : `${lines.length} lines`} of its output:`);
    this.stderr.write(lines.map((l) => `${who}| ${l}\n`).join(''));
  }

  private line(text: string): void {
    this.stderr.write(`relay: ${safeText(text)}\n`);
  }
}
