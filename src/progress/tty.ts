// Live rows with listr2, on stderr only. listr2 9 would draw on stdout, hijack the write method
// of both streams it is given, pick its fallback renderer from stdout's terminal-ness and call
// process.exit on Ctrl-C; each of those is switched off or redirected below.
import { chalkStderr as chalk } from 'chalk';
import { DefaultRenderer, Listr, ListrLogger, ProcessOutput, type ListrTaskWrapper } from 'listr2';
import type { RunView, WorkerStatus } from '../fanout/status.js';
import { bytes, counts, elapsed, outcome, succeeded, workerElapsed } from './format.js';
import type { Progress } from './index.js';
import { lastLine } from './last-line.js';

const REFRESH_MS = 100;

/** DefaultRenderer that does not ask whether *stdout* is a terminal: we chose it from stderr. */
class StderrRenderer extends DefaultRenderer {
  static override nonTTY = true;
}

function title(w: WorkerStatus, now: number): string {
  const head = `${w.id.padEnd(4)} ${elapsed(workerElapsed(w, now)).padStart(6)} ${bytes(w.bytes).padStart(9)}`;
  const tail = w.state === 'exited' ? outcome(w) : lastLine(w.tail);
  return `${chalk.bold(head)}  ${w.state === 'exited' && !succeeded(w) ? chalk.red(tail) : chalk.dim(tail)}`;
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

  constructor(
    private readonly stderr: NodeJS.WriteStream,
    private readonly maxRows: number,
  ) {}

  start(view: RunView): void {
    const tasks = view.workers.length <= this.maxRows ? view.workers.map((w) => this.rowTask(w)) : [this.summaryTask(view)];
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
    this.listr = listr.run().catch(() => {});
    this.timer = setInterval(() => this.updates.forEach((u) => u()), REFRESH_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.updates.forEach((u) => u());
    clearInterval(this.timer);
    this.finished();
    await this.listr;
  }

  private rowTask(w: WorkerStatus) {
    return {
      title: w.id,
      task: async (_: unknown, task: ListrTaskWrapper<unknown, typeof StderrRenderer, typeof StderrRenderer>) => {
        let exited = false;
        await new Promise<void>((resolve) => {
          this.updates.push(() => {
            if (exited) return;
            const next = title(w, Date.now());
            if (task.title !== next) task.title = next;
            if (w.state === 'exited') (exited = true), resolve();
          });
          void this.done.then(() => resolve());
        });
        if (w.state === 'exited' && !succeeded(w)) throw new Error(outcome(w));
      },
    };
  }

  private summaryTask(view: RunView) {
    return {
      title: 'workers',
      task: async (_: unknown, task: ListrTaskWrapper<unknown, typeof StderrRenderer, typeof StderrRenderer>) => {
        this.updates.push(() => {
          const now = Date.now();
          task.title = `${view.workers.length} workers: ${counts(view.workers)}${view.paused ? chalk.yellow('; output paused: reader is behind') : ''}`;
          task.output = busiest(view.workers, this.maxRows - 1).map((w) => title(w, now)).join('\n');
        });
        await this.done;
      },
      rendererOptions: { outputBar: this.maxRows, persistentOutput: true },
    };
  }
}
