// Fakes for the unit tier: a clock the test moves by hand and terminals the test drives. The
// engine under test is the real one (fanout(), Attempt, the policies); only time and the
// pseudo-terminal are stand-ins, injected through FanoutOptions.now/timers/spawn.
import { setImmediate as loopTurn } from 'node:timers/promises';
import { fanout, type FanoutOptions, type FanoutRun } from '../../src/fanout/run.js';
import type { Frame } from '../../src/frames/types.js';
import type { PtyExit, PtyProcess, PtySpawnOptions } from '../../src/pty/pty.js';
import type { Timers } from '../../src/timers.js';

/** Lets the event loop run (promise callbacks, the run's one-start-per-turn dispatch) without moving the clock. */
export async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i += 1) await loopTurn();
}

interface Pending {
  at: number;
  id: number;
  fn: () => void;
}

/** Time stands still until advance(): timers fire in order of due time, then of creation. */
export class FakeClock implements Timers {
  time = 1_700_000_000_000;
  private pending = new Map<number, Pending>();
  private nextId = 1;

  now = (): number => this.time;

  set = (fn: () => void, ms: number): unknown => {
    const id = this.nextId++;
    this.pending.set(id, { at: this.time + Math.max(0, ms), id, fn });
    return id;
  };

  clear = (handle: unknown): void => {
    this.pending.delete(handle as number);
  };

  /** Due times of the timers still set, relative to now. */
  get timers(): number[] {
    return [...this.pending.values()].map((p) => p.at - this.time).sort((a, b) => a - b);
  }

  /** Moves the clock by `ms`, firing every timer that falls due on the way (at its own time), letting the loop run after each. */
  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    for (;;) {
      const next = [...this.pending.values()].filter((p) => p.at <= until).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!next) break;
      this.pending.delete(next.id);
      this.time = next.at;
      next.fn();
      await settle();
    }
    this.time = until;
    await settle();
  }
}

export type FrameOf<T extends Frame['type']> = Extract<Frame, { type: T }>;

let nextPid = 40_000;

/**
 * A terminal the test drives: say() is output, exit() the child's end. It records what relay did
 * to it (typed input, signals with their times, pauses); signals do nothing unless the test says
 * (`onSignal`), like a child that traps them.
 */
export class FakePty implements PtyProcess {
  readonly pid = nextPid++;
  onData: (chunk: Buffer) => void = () => {};
  onExit: (exit: PtyExit) => void = () => {};
  onEnd: (exit: PtyExit) => void = () => {};
  readonly typed: string[] = [];
  readonly signals: { signal: NodeJS.Signals; at: number }[] = [];
  paused = false;
  ended = false;
  /** What the child does on a signal; default: nothing (it traps them all). */
  onSignal: (signal: NodeJS.Signals) => void = () => {};
  private held: Buffer[] = [];
  private exitStatus: PtyExit | undefined;

  constructor(
    readonly options: PtySpawnOptions,
    private readonly clock: FakeClock,
  ) {}

  say(text: string): void {
    const chunk = Buffer.from(text);
    if (this.paused) this.held.push(chunk);
    else this.onData(chunk);
  }

  /** The child exits; its end (onEnd) comes once every byte was taken, as with the real terminal. */
  exit(exitCode: number | null, signal: string | null = null): void {
    if (this.exitStatus) return;
    this.exitStatus = { exitCode, signal };
    this.onExit(this.exitStatus);
    this.drain();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.drain();
  }

  write(data: string | Buffer): void {
    if (!this.ended) this.typed.push(data.toString());
  }

  kill(signal: NodeJS.Signals): void {
    if (this.ended) return;
    this.signals.push({ signal, at: this.clock.now() });
    this.onSignal(signal);
  }

  resize(): void {}

  forceClose(): void {
    this.held = [];
    this.end(this.exitStatus ?? { exitCode: null, signal: 'SIGKILL' });
  }

  private drain(): void {
    while (!this.paused && this.held.length > 0) this.onData(this.held.shift()!);
    if (!this.paused && this.exitStatus) this.end(this.exitStatus);
  }

  private end(exit: PtyExit): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd(exit);
  }
}

/** What a unit test holds: the run, its clock, the terminals it spawned (in order) and every frame. */
export interface Driven {
  run: FanoutRun;
  clock: FakeClock;
  ptys: FakePty[];
  frames: Frame[];
  /** Frames of one type, in order. */
  of<T extends Frame['type']>(type: T): FrameOf<T>[];
  /** The terminal of the running attempt of task `number` (its latest). */
  pty(number: number): FakePty;
}

/**
 * Starts a real fanout on a fake clock and fake terminals. `read: false` leaves the frames
 * unread by a consumer that is there (a stalled one: the run pauses its terminals at the high
 * watermark); read() starts reading.
 */
export function drive(options: Partial<FanoutOptions> & { read?: boolean } = {}): Driven & { read(): void } {
  const { read = true, ...rest } = options;
  const clock = new FakeClock();
  const ptys: FakePty[] = [];
  const frames: Frame[] = [];
  const run = fanout({
    command: ['sh', '-c', 'fake: never runs'],
    // Each read its own frame, at once: what these tests follow is the scheduler, not coalescing.
    coalesceMs: 0,
    now: clock.now,
    timers: clock,
    spawn: (spawnOptions) => {
      const pty = new FakePty(spawnOptions, clock);
      ptys.push(pty);
      return pty;
    },
    ...rest,
  });
  run.observe((frame) => frames.push(frame));
  // The consumer is there from the start (a run nobody iterates never pauses); it reads when told.
  const frameIterator = run[Symbol.asyncIterator]();
  let reading = false;
  const startReading = (): void => {
    if (reading) return;
    reading = true;
    void (async () => {
      while (!(await frameIterator.next()).done);
    })();
  };
  if (read) startReading();
  const of = <T extends Frame['type']>(type: T): FrameOf<T>[] => frames.filter((f): f is FrameOf<T> => f.type === type);
  const pty = (number: number): FakePty => {
    const started = of('worker_started').filter((f) => f.task === number).at(-1);
    const found = started && ptys.find((p) => p.pid === started.pid);
    if (!found) throw new Error(`task ${number} has no terminal`);
    return found;
  };
  return { run, clock, ptys, frames, of, pty, read: startReading };
}
