import { setTimeout as sleep } from 'node:timers/promises';
import { writeOut } from '../writer/write-out.js';

/**
 * Writes data at the pace it was recorded: before each chunk, the time between its frame and
 * the previous one (capped, so a long silence does not stall the replay). Each write is awaited.
 */
export class LivePlayer {
  private lastTs: number | null = null;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly maxDelayMs: number,
    private readonly wait: (ms: number) => Promise<unknown> = sleep,
  ) {}

  async play(ts: number, data: string): Promise<void> {
    const gap = this.lastTs === null ? 0 : Math.min(this.maxDelayMs, Math.max(0, ts - this.lastTs));
    this.lastTs = ts;
    if (gap >= 1) await this.wait(gap);
    await writeOut(this.out, data);
  }
}
