// Live rows with listr2, on stderr only. listr2 9 would draw on stdout, hijack the write method
// of both streams it is given, pick its fallback renderer from stdout's terminal-ness, measure
// its rows against stdout's width (80 when stdout is a pipe) and call process.exit on Ctrl-C;
// each of those is switched off or redirected below. listr2 keeps the tasks, their states and
// icons; the drawing is a LiveArea on stderr, which knows stderr's size.
import { chalkStderr as chalk } from 'chalk';
import { DefaultRenderer, Listr, ListrLogger, ProcessOutput, type ListrTask, type ListrTaskWrapper } from 'listr2';
import type { RunView, WorkerStatus } from '../fanout/status.js';
import type { RunFinished } from '../frames/types.js';
import { bytes, counts, elapsed, outcome, succeeded, summary, taskLabel, workerElapsed } from './format.js';
import type { Progress } from './types.js';
import { lastLine } from './last-line.js';
import { safeText } from '../sanitize.js';
import { fit, LiveArea, type TerminalSize } from './live-area.js';

const REFRESH_MS = 100;
const INDENT = 2;

type Wrapper = ListrTaskWrapper<unknown, typeof DefaultRenderer, typeof DefaultRenderer>;

/** A DefaultRenderer that draws through `area` and fits each line to `size().columns`. */
function stderrRenderer(area: LiveArea, size: () => TerminalSize): typeof DefaultRenderer {
  return class StderrRenderer extends DefaultRenderer {
    // Do not ask whether *stdout* is a terminal: the renderer was chosen from stderr.
    static override nonTTY = true;

    private queued = false;

    // listr2 asks for a draw at every title change: one draw for all the changes of one refresh.
    override update(): void {
      if (this.queued) return;
      this.queued = true;
      queueMicrotask(() => {
        this.queued = false;
        area.draw(this.create());
      });
    }

    override end(): void {
      // listr2 then writes the final rows once, below whatever was above the live block.
      this.queued = true;
      area.clear();
      super.end();
    }

    protected override format(message: string, icon: string, level: number): string[] {
      const indent = ' '.repeat(level * INDENT);
      const width = Math.max(1, size().columns - indent.length);
      const lines = message.split('\n').filter((l) => l.trim() !== '');
      return lines.map((l, i) => indent + fit(i === 0 && icon ? `${icon} ${l}` : `  ${l}`, width));
    }
  };
}

/** A slot that ran several attempts ends with a tally; one that ran one, with its outcome. */
function slotFailed(w: WorkerStatus): boolean {
  return w.attempts > 1 ? w.failures > 0 : !succeeded(w) && w.reason !== 'cancelled';
}

function endText(w: WorkerStatus): string {
  return w.attempts > 1 ? `ran ${w.attempts}, ${w.failures} failed; last: ${outcome(w)}` : outcome(w);
}

/** One worker's row: id, time, bytes, [task], then its last line (or how it ended). */
function row(w: WorkerStatus, now: number, taskList: boolean, width: number): string {
  const task = taskList && w.task && w.state !== 'exited' ? ` ${taskLabel(w.task)}` : '';
  const head = `${w.id.padEnd(4)} ${elapsed(workerElapsed(w, now)).padStart(6)} ${bytes(w.bytes).padStart(9)}${task}`;
  const tail = safeText(w.state === 'exited' ? endText(w) : lastLine(w.tail, width));
  return `${chalk.bold(head)}  ${w.state === 'exited' && slotFailed(w) ? chalk.red(tail) : chalk.dim(tail)}`;
}

function running(w: WorkerStatus): boolean {
  return w.state === 'running' || w.state === 'stopping';
}

/** "… 31 more: 2 running, 27 done, 2 failed, 0 waiting": the workers without a row of their own. */
function rest(hidden: readonly WorkerStatus[]): string {
  const n = (p: (w: WorkerStatus) => boolean) => hidden.filter(p).length;
  const failed = n((w) => w.state === 'exited' && slotFailed(w));
  const done = n((w) => w.state === 'exited') - failed;
  const parts = [`${n(running)} running`, `${done} done`, `${failed} failed`];
  const waiting = n((w) => w.state === 'pending' || w.state === 'waiting');
  if (waiting > 0) parts.push(`${waiting} waiting`);
  return `… ${hidden.length} more: ${parts.join(', ')}`;
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
  private readonly onResize = () => this.refresh();

  /** `maxRows` caps the rows drawn (the terminal's height does anyway). */
  constructor(
    private readonly stderr: NodeJS.WriteStream,
    private readonly maxRows = Infinity,
  ) {}

  /** Read at every draw: a resized terminal gets rows fitted to its new size. */
  private size(): TerminalSize {
    return { columns: this.stderr.columns || 80, rows: Math.min(this.maxRows + 1, this.stderr.rows || 24) };
  }

  start(view: RunView): void {
    this.taskList = view.taskList;
    this.unsubscribe = view.observe((f) => {
      if (f.type === 'run_finished') this.last = f;
    });
    // The block and the cursor line below it fit on the screen: else collapse.
    const fits = view.workers.length + (view.taskList ? 1 : 0) <= this.size().rows - 1;
    const tasks = fits
      ? [...(view.taskList ? [this.tasksTask(view)] : []), ...view.workers.map((w) => this.rowTask(w, view.taskList))]
      : this.collapsedTasks(view);
    // listr2 replaces stderr's write method while it runs: the area writes through the real one.
    const write = this.stderr.write.bind(this.stderr);
    const area = new LiveArea((text) => void write(text), () => this.size());
    // A separate object for listr2's "stderr", so process.stderr is hijacked only once.
    const side = { write: (...args: Parameters<typeof write>) => write(...args) } as unknown as NodeJS.WriteStream;
    const logger = new ListrLogger({ processOutput: new ProcessOutput(this.stderr, side, { dump: ['stdout', 'stderr'] }) });
    const listr = new Listr(tasks, {
      concurrent: true,
      exitOnError: false,
      renderer: stderrRenderer(area, () => this.size()),
      rendererOptions: { logger, collapseErrors: false, showErrorMessage: false, indentation: INDENT },
      fallbackRendererCondition: () => false,
      silentRendererCondition: () => false,
      registerSignalListeners: false,
    });
    // With exitOnError false, failed rows (thrown on purpose, to draw ✖) do not reject run(): a
    // rejection is listr2 itself failing. The run goes on without live rows; say so once.
    this.listr = listr.run().catch((err: Error) => {
      this.stderr.write(`relay: live progress failed: ${err.message}\n`);
    });
    this.timer = setInterval(() => this.refresh(), REFRESH_MS);
    this.timer.unref();
    this.stderr.on('resize', this.onResize);
  }

  async stop(): Promise<void> {
    this.refresh();
    clearInterval(this.timer);
    this.stderr.off('resize', this.onResize);
    this.finished();
    await this.listr;
    this.unsubscribe?.();
    // Once the rows are drawn for the last time: the summary, as plain lines below them.
    if (this.last) this.stderr.write(summary(this.last, this.taskList).map((l) => `relay: ${l}\n`).join(''));
  }

  private refresh(): void {
    this.updates.forEach((u) => u());
  }

  private status(view: RunView): string {
    return counts(view) + (view.paused ? chalk.yellow('; output paused: reader is behind') : '');
  }

  /** The header row with a task list: tasks by progress. */
  private tasksTask(view: RunView): ListrTask {
    return {
      title: 'tasks',
      task: async (_: unknown, task: Wrapper) => {
        this.updates.push(() => (task.title = `${view.tasks.total} tasks: ${this.status(view)}`));
        await this.done;
      },
    };
  }

  /** A row of its own for one worker, ending ✔, ✖, or skipped for a cancelled one. */
  private rowTask(w: WorkerStatus, taskList: boolean): ListrTask {
    return {
      title: w.id,
      task: async (_: unknown, task: Wrapper) => {
        await new Promise<void>((resolve) => {
          this.updates.push(() => {
            if (w.state === 'exited') return resolve();
            const next = row(w, Date.now(), taskList, this.size().columns);
            if (task.title !== next) task.title = next;
          });
          void this.done.then(() => resolve());
        });
        // The last title is set here, once, so the final screen shows how it ended.
        task.title = row(w, Date.now(), taskList, this.size().columns);
        if (w.state !== 'exited') return;
        if (w.attempts <= 1 && w.reason === 'cancelled') task.skip(task.title);
        else if (slotFailed(w)) throw new Error(endText(w));
      },
    };
  }

  /**
   * More workers than rows: a header with the totals, a row for each running worker that fits,
   * and one line summing up the rest. When the run ends, the running rows and that line go: the
   * header and the summary below it say how every task ended.
   */
  private collapsedTasks(view: RunView): ListrTask[] {
    const slots = Math.max(0, this.size().rows - 3);
    const shown: WorkerStatus[] = [];
    // Before the rows' updates: which running workers get a row (by index, so rows stay put).
    this.updates.push(() => {
      const room = Math.max(0, Math.min(slots, this.size().rows - 3));
      shown.splice(0, shown.length, ...view.workers.filter(running).slice(0, room));
    });
    const header: ListrTask = {
      title: 'workers',
      task: async (_: unknown, task: Wrapper) => {
        this.updates.push(() => {
          const of = view.taskList ? `, ${view.tasks.total} tasks` : '';
          task.title = `${view.workers.length} workers${of}: ${this.status(view)}`;
        });
        await this.done;
        if (view.tasks.failed > 0) throw new Error('failed');
      },
    };
    const slot = (i: number): ListrTask => ({
      title: '',
      task: async (_: unknown, task: Wrapper) => {
        this.updates.push(() => {
          const w = shown[i];
          task.title = w ? row(w, Date.now(), view.taskList, this.size().columns) : '';
        });
        await this.done;
        task.title = '';
      },
    });
    const more: ListrTask = {
      title: '',
      task: async (_: unknown, task: Wrapper) => {
        this.updates.push(() => (task.title = rest(view.workers.filter((w) => !shown.includes(w)))));
        await this.done;
        task.title = '';
      },
    };
    return [header, ...Array.from({ length: slots }, (_, i) => slot(i)), more];
  }
}
