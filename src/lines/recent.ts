// The end of a stream of text kept as UTF-8 bytes in one buffer, for output that must be kept for
// a while (a failed task's last lines, the screen `relay attach` rebuilds). Kept as the output's
// own strings instead, every byte of a fast worker would live long enough to reach V8's old
// generation: measured, that made the young generation grow to its maximum and added tens of MB
// of RSS and up to half a second of CPU for 9 × 5 MB.
/**
 * The last `size` bytes of a text, UTF-8 encoded into one buffer that grows to `size` as needed
 * and is then reused: a worker that prints little costs little, one that prints gigabytes no more.
 */
export class RecentBytes {
  private buf = Buffer.alloc(0);
  /** Bytes ever written (since clear): where the next byte goes is `written % size` once full. */
  private written = 0;

  constructor(private readonly size: number) {}

  write(text: string): void {
    let bytes = Buffer.byteLength(text);
    if (this.written + bytes <= this.buf.length) {
      this.buf.write(text, this.written);
      this.written += bytes;
      return;
    }
    let data = Buffer.from(text);
    if (bytes > this.size) {
      // Only its end can be kept: the bytes before it count as written and dropped.
      this.written += bytes - this.size;
      data = data.subarray(bytes - this.size);
      bytes = this.size;
    }
    this.grow(this.written + bytes);
    const at = this.written % this.size;
    const first = Math.min(bytes, this.size - at);
    data.copy(this.buf, at, 0, first);
    data.copy(this.buf, 0, first);
    this.written += bytes;
  }

  /** Whether older output was let go: what is kept then starts in the middle of a line. */
  get cut(): boolean {
    return this.written > this.buf.length;
  }

  /** What is kept, decoded; a first character cut in half by the ring is left out. */
  text(): string {
    if (!this.cut) return this.buf.toString('utf8', 0, this.written);
    const at = this.written % this.size;
    const kept = Buffer.concat([this.buf.subarray(at), this.buf.subarray(0, at)]);
    let start = 0;
    while (start < kept.length && (kept[start]! & 0xc0) === 0x80) start += 1; // UTF-8 continuation bytes
    return kept.toString('utf8', start);
  }

  clear(): void {
    this.written = 0;
  }

  /** Room for `needed` bytes (at most `size`), keeping what is there. */
  private grow(needed: number): void {
    if (this.buf.length >= Math.min(needed, this.size)) return;
    const next = Buffer.alloc(Math.min(this.size, Math.max(needed, this.buf.length * 2, 4096)));
    this.buf.copy(next, 0, 0, Math.min(this.written, this.buf.length));
    this.buf = next;
  }
}
