// `relay replay --live`: the output again, at its recorded pace, to a terminal. What the output
// switched on there (the alternate screen, a hidden cursor, mouse reporting…) is switched off
// again however the replay ends: at the end, on Ctrl-C, or when the output fails.
import { setTimeout as sleep } from 'node:timers/promises';
import { writeOut } from '../writer/write-out.js';
import type { Screen, TerminalState } from './screen.js';

export interface LivePlayerOptions {
  /** Aborts a pause between chunks (Ctrl-C). */
  signal?: AbortSignal;
  /** Follows the output to know what to undo at the end; only when `out` is a terminal. */
  tracker?: Screen;
  wait?: (ms: number, signal?: AbortSignal) => Promise<unknown>;
}

/**
 * Writes data at the pace it was recorded: before each chunk, the time between its frame and
 * the previous one (capped, so a long silence does not stall the replay). Each write is awaited.
 */
export class LivePlayer {
  private lastTs: number | null = null;
  private readonly wait: (ms: number, signal?: AbortSignal) => Promise<unknown>;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly maxDelayMs: number,
    private readonly o: LivePlayerOptions = {},
  ) {
    this.wait = o.wait ?? ((ms, signal) => sleep(ms, undefined, signal ? { signal } : {}));
  }

  async play(ts: number, data: string): Promise<void> {
    const gap = this.lastTs === null ? 0 : Math.min(this.maxDelayMs, Math.max(0, ts - this.lastTs));
    this.lastTs = ts;
    if (gap >= 1) await this.wait(gap, this.o.signal);
    this.o.signal?.throwIfAborted();
    this.o.tracker?.write(data);
    await writeOut(this.out, data);
  }

  /** Puts the terminal back as it was before the replay; never throws (the output may be gone). */
  async restore(): Promise<void> {
    const tracker = this.o.tracker;
    if (!tracker) return;
    try {
      const undo = restoreSequence(await tracker.state());
      await new Promise<void>((resolve) => this.out.write(undo, () => resolve()));
    } catch {
      // The terminal is gone (EIO, EPIPE): nothing left to restore.
    } finally {
      tracker.dispose();
    }
  }
}

/** The escape sequences that switch off what `state` has on; colours and the cursor always. */
export function restoreSequence(state: TerminalState): string {
  const m = state.modes;
  return [
    state.alternate ? '\x1b[?1049l' : '',
    m.mouseTrackingMode !== 'none' ? '\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l' : '',
    m.bracketedPasteMode ? '\x1b[?2004l' : '',
    m.sendFocusMode ? '\x1b[?1004l' : '',
    m.applicationCursorKeysMode ? '\x1b[?1l' : '',
    m.applicationKeypadMode ? '\x1b>' : '',
    m.insertMode ? '\x1b[4l' : '',
    m.originMode ? '\x1b[?6l' : '',
    m.wraparoundMode ? '' : '\x1b[?7h',
    m.synchronizedOutputMode ? '\x1b[?2026l' : '',
    '\x1b[0m\x1b[?25h',
  ].join('');
}
