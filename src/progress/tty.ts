// Live rows with listr2, on stderr only. listr2 9 would draw on stdout, hijack the write method
// of both streams it is given, pick its fallback renderer from stdout's terminal-ness and call
// process.exit on Ctrl-C; each of those is switched off or redirected below.
import { chalkStderr as chalk } from 'chalk';
import { DefaultRenderer, Listr, ListrLogger, ProcessOutput, type ListrTaskWrapper } from 'listr2';
import type { RunView, WorkerStatus } from '../fanout/status.js';
import type { RunFinished } from '../frames/types.js';
import { bytes, counts, elapsed, outcome, succeeded, summary, taskLabel, workerElapsed } from './format.js';
import type { Progress } from './types.js';
import { lastLine } from './last-line.js';
import { safeText } from '../sanitize.js';

const REFRESH_MS = 100;

/** DefaultRenderer that does not ask whether *stdout* is a terminal: we chose it from stderr. */
class StderrRenderer extends DefaultRenderer {
  static override nonTTY = true;
}

/** A slot that ran several attempts ends with a tally; one that ran one, with its outcome. */
function slotFailed(w: WorkerStatus): boolean {
  return w.attempts > 1 ? w.failures > 0 : !succeeded(w);
}

function endText(w: WorkerStatus): string {
  return w.attempts > 1 ? `ran ${w.attempts}, ${w.failures} failed; last: ${outcome(w)}` : outcome(w);
}

function title(w: WorkerStatus, now: number, taskList: boolean): string {
  const task = taskList && w.task && w.state !== 'exited' ? ` ${taskLabel(w.task)}` : '';
  const head = `${w.id.padEnd(4)} ${elapsed(workerElapsed(w, now)).padStart(6)} ${bytes(w.bytes).padStart(9)}${task}`;
  const tail = safeText(w.state === 'exited' ? endText(w) : lastLine(w.tail));
  return `${chalk.bold(head)}  ${w.state === 'exited' && slotFailed(w) ? chalk.red(tail) : chalk.dim(tail)}`;
}

/** The busiest rows when there are too many to draw: running first, then most bytes. */
function busiest(workers: readonly WorkerStatus[], n: number): WorkerStatus[] {
  const running = workers.filter((w) => w.state === 'running' || w.state === 'stopping');
  return running.sort((a, b) => b.bytes - a.bytes).slice(0, n);
}

export class TtyProgress implements Progress {
  private timer: NodeJS.Timeout | undefined;
  private listr: Promise<unknown> | undefined;
  private finished!: () => void;
  private readonly done = new Promise<void>((r) => (this.finished = r));
  private readonly updates: (() => void)[] = [];
  private last: RunFinished | undefined;
  private taskList = false;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly stderr: NodeJS.WriteStream,
    private readonly maxRows: number,
  ) {}

  start(view: RunView): void {
    this.taskList = view.taskList;
    this.unsubscribe = view.observe((f) => {
      if (f.type === 'run_finished') this.last = f;
    });
    const rows = view.workers.length + (view.taskList ? 1 : 0);
    const tasks = rows <= this.maxRows
      ? [...(view.taskList ? [this.tasksTask(view)] : []), ...view.workers.map((w) => this.rowTask(w, view.taskList))]
      : [this.summaryTask(view)];
    const write = this.stderr.write.bind(this.stderr);
    // A separate object for listr2's "stderr", so process.stderr is hijacked only once.
    const side = { write: (...args: Parameters<typeof write>) => write(...args) } as unknown as NodeJS.WriteStream;
    const logger = new ListrLogger({ processOutput: new ProcessOutput(this.stderr, side, { dump: ['stdout', 'stderr'] }) });
    const listr = new Listr(tasks, {
      concurrent: true,
      exitOnError: false,
      renderer: StderrRenderer,
      rendererOptions: { logger, collapseErrors: false, showErrorMessage: false },
      fallbackRendererCondition: () => false,
      silentRendererCondition: () => false,
      registerSignalListeners: false,
    });
    // With exitOnError false, failed rows (thrown on purpose, to draw ✖) do not reject run(): a
    // rejection is listr2 itself failing. The run goes on without live rows; say so once.
    this.listr = listr.run().catch((err: Error) => {
      this.stderr.write(`relay: live progress failed: ${err.message}\n`);
    });
    this.timer = setInterval(() => this.updates.forEach((u) => u()), REFRESH_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.updates.forEach((u) => u());
    clearInterval(this.timer);
    this.finished();
    await this.listr;
    this.unsubscribe?.();
    // Once the rows are drawn for the last time: the summary, as plain lines below them.
    if (this.last) this.stderr.write(summary(this.last, this.taskList).map((l) => `relay: ${l}\n`).join(''));
  }

  /** The header row with a task list: tasks by progress. */
  private tasksTask(view: RunView) {
    return {
      title: 'tasks',
      task: async (_: unknown, task: ListrTaskWrapper<unknown, typeof StderrRenderer, typeof StderrRenderer>) => {
        this.updates.push(() => {
          task.title = `${view.tasks.total} tasks: ${counts(view)}${view.paused ? chalk.yellow('; output paused: reader is behind') : ''}`;
        });
        await this.done;
      },
    };
  }

  private rowTask(w: WorkerStatus, taskList: boolean) {
    return {
      title: w.id,
      task: async (_: unknown, task: ListrTaskWrapper<unknown, typeof StderrRenderer, typeof StderrRenderer>) => {
        let exited = false;
        await new Promise<void>((resolve) => {
          this.updates.push(() => {
            if (exited) return;
            const next = title(w, Date.now(), taskList);
            if (task.title !== next) task.title = next;
            if (w.state === 'exited') (exited = true), resolve();
          });
          void this.done.then(() => resolve());
        });
        if (w.state === 'exited' && slotFailed(w)) throw new Error(endText(w));
      },
    };
  }

  private summaryTask(view: RunView) {
    return {
      title: 'workers',
      task: async (_: unknown, task: ListrTaskWrapper<unknown, typeof StderrRenderer, typeof StderrRenderer>) => {
        this.updates.push(() => {
          const now = Date.now();
          const of = view.taskList ? `, ${view.tasks.total} tasks` : '';
          task.title = `${view.workers.length} workers${of}: ${counts(view)}${view.paused ? chalk.yellow('; output paused: reader is behind') : ''}`;
          task.output = busiest(view.workers, this.maxRows - 1).map((w) => title(w, now, view.taskList)).join('\n');
        });
        await this.done;
      },
      rendererOptions: { outputBar: this.maxRows, persistentOutput: true },
    };
  }
}
