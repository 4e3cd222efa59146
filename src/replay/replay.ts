// `relay replay`: what each attempt's terminal showed, from a saved frame stream. Every attempt
// (one run of one task on a worker slot) had a terminal of its own, so that is the unit: a slot
// that ran five tasks shows five screens. Three views, one pass over the frames: the final screen
// (a headless terminal emulator per attempt), the transcript (the line assembler of line mode),
// or the output re-played at its recorded pace.
import type { Readable } from 'node:stream';
import { usageError } from '../errors.js';
import type { Frame } from '../frames/types.js';
import { LineAssembler } from '../lines/assembler.js';
import { cutOffWarning, eachFrame, inputName } from '../frames/input.js';
import { writeOut } from '../writer/write-out.js';
import { LivePlayer } from './live.js';
import { clampSize, createScreen, MAX_SCREEN_COLS, MAX_SCREEN_ROWS, type Screen } from './screen.js';

/**
 * Screen mode keeps one terminal emulator per worker until the end: at most this much memory
 * for them, estimated below. Past it, replay refuses (--worker or --transcript need far less).
 */
export const SCREENS_BUDGET_BYTES = 512 * 1024 * 1024;
/** Measured with @xterm/headless 6: about 250 KB per terminal plus about 13 bytes per cell. */
const screenBytes = (size: { cols: number; rows: number }): number => 256 * 1024 + size.cols * size.rows * 16;

/** Exit statuses of a live replay stopped by a signal (128 + its number, as a shell reports it). */
const STOP_SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

export type ReplayMode = 'screen' | 'transcript' | 'live';

export interface ReplayOptions {
  input: Readable;
  /** Name of the input, for messages ("-" for stdin). */
  file: string;
  mode: ReplayMode;
  /** Only this worker's attempts ("w2" or "2"). Default: all (live needs a worker or a task when the run had several). */
  worker?: string;
  /** Only this task's attempts: its id, or #N for its number. */
  task?: string;
  /** Live mode: longest pause between two chunks, in ms. */
  maxDelayMs: number;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
}

/** One attempt's view, fed chunk by chunk. */
interface View {
  /** "#3 fix-login on w2", with ", attempt 2" on retries. */
  id: string;
  /** Sort key: the order its first frame came in. */
  index: number;
  /** "exit 0", "SIGKILL", … once its worker_exited frame was seen. */
  end: string | null;
  add(data: string): void;
  /** What a line-mode-only recording has: a whole line. */
  addLine(text: string): void;
  lines(): Promise<string[]>;
}

function normalizeWorker(worker: string | undefined): string | undefined {
  if (worker === undefined) return undefined;
  if (/^\d+$/.test(worker)) return `w${worker}`;
  if (/^w\d+$/.test(worker)) return worker;
  throw usageError(`--worker: expected a worker id such as w2 (or 2), got "${worker}"`);
}

function transcriptView(id: string, index: number): View {
  const assembler = new LineAssembler();
  const out: string[] = [];
  return {
    id, index, end: null,
    add: (data) => out.push(...assembler.push(data)),
    addLine: (text) => out.push(text),
    lines: async () => {
      const rest = assembler.flush();
      return rest === undefined ? out : [...out, rest];
    },
  };
}

function screenView(id: string, index: number, screen: Screen): View {
  return {
    id, index, end: null,
    add: (data) => screen.write(data),
    addLine: (text) => screen.write(`${text}\r\n`),
    lines: async () => {
      const lines = await screen.text();
      screen.dispose();
      return lines;
    },
  };
}

function ending(f: Extract<Frame, { type: 'worker_exited' }>): string {
  if (f.signal) return f.signal;
  return f.exit_code === null ? f.reason : `exit ${f.exit_code}`;
}

/** Replays; returns the exit status (0, or 128 + signal when a live replay was stopped). */
export async function replay(o: ReplayOptions): Promise<number> {
  if (o.mode === 'live') return replayLive(o);
  const replayer = new Replayer(o, null);
  await readAll(o, replayer);
  const views = replayer.views();
  await print(o, views, views.length === 1 && (replayer.only !== undefined || o.task !== undefined));
  return 0;
}

async function readAll(o: ReplayOptions, replayer: Replayer): Promise<void> {
  const report = await eachFrame(o.input, (f) => replayer.onFrame(f), inputName(o.file));
  replayer.checkWorkerSeen();
  const warning = cutOffWarning(o.file, report);
  if (warning) o.stderr.write(`relay: ${warning}\n`);
}

/**
 * --live: Ctrl-C (SIGTERM, SIGHUP) stops the replay; whichever way it ends (the end, a signal,
 * the output failing), a terminal gets back what the output switched on (the alternate screen…).
 */
async function replayLive(o: ReplayOptions): Promise<number> {
  const stop = new AbortController();
  const onSignal = (signal: keyof typeof STOP_SIGNALS): void => {
    stop.abort(signal);
    o.input.destroy();
  };
  const names = Object.keys(STOP_SIGNALS) as (keyof typeof STOP_SIGNALS)[];
  for (const name of names) process.on(name, onSignal);
  const tracker = o.stdout.isTTY ? await createScreen(120, 40) : undefined;
  const player = new LivePlayer(o.stdout, o.maxDelayMs, { signal: stop.signal, ...(tracker ? { tracker } : {}) });
  try {
    await readAll(o, new Replayer(o, player));
  } catch (err) {
    if (!stop.signal.aborted) throw err;
  } finally {
    await player.restore();
    for (const name of names) process.off(name, onSignal);
  }
  return stop.signal.aborted ? STOP_SIGNALS[stop.signal.reason as keyof typeof STOP_SIGNALS] : 0;
}

/** One pass over the frames: each worker's frames go to its view (or, live, straight out). */
class Replayer {
  readonly only: string | undefined;
  private readonly byAttempt = new Map<string, View>();
  private readonly tasksSeen = new Set<string>();
  private size = { cols: 120, rows: 40 };
  private screensBytes = 0;
  private readonly seen = new Set<string>();
  /** Workers with worker_stream frames: their worker_line frames (if any) repeat the same output. */
  private readonly streamed = new Set<string>();

  constructor(
    private readonly o: ReplayOptions,
    private readonly live: LivePlayer | null,
  ) {
    this.only = normalizeWorker(o.worker);
  }

  async onFrame(f: Frame): Promise<void> {
    if (f.type === 'run_started') return this.onRunStarted(f);
    if (!('worker' in f) || !('task_id' in f)) return;
    this.seen.add(f.worker);
    this.tasksSeen.add(f.task_id).add(`#${f.task}`);
    if (this.only && f.worker !== this.only) return;
    if (this.o.task !== undefined && f.task_id !== this.o.task && `#${f.task}` !== this.o.task) return;
    // The worker too: a crafted stream may reuse a task's attempt on several workers.
    const key = `${f.worker}\0${f.task_id}\0${f.attempt}`;
    if (f.type === 'worker_stream') this.streamed.add(key);
    // An attempt's lines come after the stream frames they were made from: use them only without those.
    if (f.type === 'worker_line' && this.streamed.has(key)) return;
    if (this.live) {
      if (f.type === 'worker_stream') await this.live.play(f.ts, f.data);
      if (f.type === 'worker_line') await this.live.play(f.ts, `${f.text}\r\n`);
      return;
    }
    const label = `${f.task_id === String(f.task) ? `#${f.task}` : `#${f.task} ${f.task_id}`} on ${f.worker}${f.attempt > 1 ? `, attempt ${f.attempt}` : ''}`;
    const view = await this.viewOf(key, label);
    if (f.type === 'worker_stream') view.add(f.data);
    if (f.type === 'worker_line') view.addLine(f.text);
    if (f.type === 'worker_exited') view.end = ending(f);
  }

  /** --worker or --task named one the stream does not have: say which it has. */
  checkWorkerSeen(): void {
    const name = inputName(this.o.file);
    if (this.only && !this.seen.has(this.only)) {
      throw usageError(`--worker: no worker ${this.only} in ${name}${this.seen.size ? ` (it has ${[...this.seen].join(', ')})` : ''}`);
    }
    if (this.o.task !== undefined && !this.tasksSeen.has(this.o.task)) {
      const ids = [...this.tasksSeen].filter((t) => !t.startsWith('#'));
      throw usageError(`--task: no task ${this.o.task} in ${name}${ids.length ? ` (it has ${ids.slice(0, 10).join(', ')}${ids.length > 10 ? ', …' : ''})` : ''}`);
    }
  }

  views(): View[] {
    return [...this.byAttempt.values()].sort((a, b) => a.index - b.index);
  }

  private onRunStarted(f: Extract<Frame, { type: 'run_started' }>): void {
    this.size = clampSize({ cols: f.cols, rows: f.rows });
    if (this.o.mode === 'screen' && (f.cols > MAX_SCREEN_COLS || f.rows > MAX_SCREEN_ROWS)) {
      this.o.stderr.write(`relay: warning: ${inputName(this.o.file)}: its terminals were ${f.cols}x${f.rows}, over replay's limit of ${MAX_SCREEN_COLS}x${MAX_SCREEN_ROWS}; showing ${this.size.cols}x${this.size.rows}\n`);
    }
    if (this.live && !this.only && this.o.task === undefined && f.workers > 1) throw usageError(`--live shows one terminal: pick one of the ${f.workers} workers with --worker, or a task with --task`);
  }

  private async viewOf(key: string, label: string): Promise<View> {
    let view = this.byAttempt.get(key);
    if (!view) {
      const index = this.byAttempt.size;
      if (this.o.mode === 'screen') this.reserveScreen(label);
      view = this.o.mode === 'screen' ? screenView(label, index, await createScreen(this.size.cols, this.size.rows)) : transcriptView(label, index);
      this.byAttempt.set(key, view);
    }
    return view;
  }

  /** Counts a new screen against SCREENS_BUDGET_BYTES; refuses one over it, naming the file. */
  private reserveScreen(id: string): void {
    this.screensBytes += screenBytes(this.size);
    if (this.screensBytes <= SCREENS_BUDGET_BYTES) return;
    throw usageError(
      `${inputName(this.o.file)}: too many screens to hold at once (${this.byAttempt.size + 1} at ${this.size.cols}x${this.size.rows}, at ${id}); ` +
        'replay some with --worker or --task, or use --transcript',
    );
  }
}

/** One attempt asked for: its lines only. Several: each under a header naming it and how it ended, a blank line between. */
async function print(o: ReplayOptions, views: View[], single: boolean): Promise<void> {
  const blocks: string[] = [];
  for (const view of views) {
    const lines = await view.lines();
    const block = single ? lines : [`── ${view.id} (${view.end ?? 'no exit recorded'}) ──`, ...lines];
    if (block.length > 0) blocks.push(block.join('\n') + '\n');
  }
  if (blocks.length > 0) await writeOut(o.stdout, blocks.join('\n'));
}
