import type { Frame } from '../frames/types.js';

/** Rough in-memory size of a frame: its text plus a fixed allowance for the object. */
export function frameWeight(frame: Frame): number {
  if (frame.type === 'worker_stream') return frame.data.length + 128;
  // Its raw event is the agent's whole JSON line (a tool result can hold a file): count it.
  if (frame.type === 'agent_event') return (JSON.stringify(frame.raw) ?? '').length + (frame.text?.length ?? 0) + 256;
  return frame.type === 'worker_line' ? frame.text.length + 128 : 256;
}

/**
 * The engine's outbox: an async iterable of frames that tells its producer to pause when the
 * consumer falls a high watermark behind and to resume at the low one. push() never drops and
 * never blocks: what arrives after a pause (at most one read per terminal) is simply kept, which
 * is what bounds memory at the high watermark plus one chunk per worker.
 */
export class FrameQueue implements AsyncIterable<Frame> {
  private items: Frame[] = [];
  private head = 0;
  private weight = 0;
  private closed = false;
  private pressured = false;
  private wake: (() => void) | undefined;
  /** Whether anyone ever asked for frames; until then nobody is there to pace the workers. */
  private consumed = false;

  constructor(
    private readonly highWaterMark: number,
    private readonly lowWaterMark: number,
    private readonly onPressure: (pressured: boolean) => void,
  ) {}

  get size(): number {
    return this.items.length - this.head;
  }

  get isPressured(): boolean {
    return this.pressured;
  }

  push(frame: Frame): void {
    if (this.closed) throw new Error('FrameQueue: push after close');
    this.items.push(frame);
    this.weight += frameWeight(frame);
    if (!this.consumed) return this.dropOldest();
    if (!this.pressured && this.weight >= this.highWaterMark) {
      this.pressured = true;
      this.onPressure(true);
    }
    this.notify();
  }

  /** No more frames will come; iteration ends once the queued ones are taken. */
  close(): void {
    this.closed = true;
    this.notify();
  }

  /**
   * Nobody iterates (a library caller who only awaits the result): pausing the workers would wait
   * forever, so keep the newest frames within the high watermark instead.
   */
  private dropOldest(): void {
    while (this.weight > this.highWaterMark && this.size > 1) {
      this.weight -= frameWeight(this.items[this.head]!);
      this.items[this.head] = undefined as unknown as Frame;
      this.head += 1;
    }
    this.compact();
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<Frame> {
    this.consumed = true;
    return this.frames();
  }

  private async *frames(): AsyncGenerator<Frame> {
    for (;;) {
      if (this.head < this.items.length) {
        const frame = this.items[this.head]!;
        this.items[this.head] = undefined as unknown as Frame;
        this.head += 1;
        this.compact();
        this.weight -= frameWeight(frame);
        if (this.pressured && this.weight <= this.lowWaterMark) {
          this.pressured = false;
          this.onPressure(false);
        }
        yield frame;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
