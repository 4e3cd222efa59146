import { toLines } from './assembler.js';
import { RecentBytes } from './recent.js';

const DEFAULT_TAIL_BYTES = 16 * 1024;

/**
 * The end of one worker's output, kept cheaply (amortised O(1) per chunk) while a run goes on,
 * turned into readable lines only when asked: for the last lines of a failed worker.
 */
export class OutputTail {
  private readonly raw: RecentBytes;
  /** Lines from worker_line frames, for streams recorded without worker_stream. */
  private lineTexts: string[] = [];

  constructor(maxBytes = DEFAULT_TAIL_BYTES) {
    this.raw = new RecentBytes(maxBytes);
  }

  add(data: string): void {
    this.raw.write(data);
  }

  addLine(text: string): void {
    this.lineTexts.push(text);
    if (this.lineTexts.length > 1000) this.lineTexts = this.lineTexts.slice(-100);
  }

  /** The last `n` lines it showed (ANSI stripped, redraws resolved), trailing blank lines left out. */
  lastLines(n: number): string[] {
    let lines = this.lineTexts;
    const raw = this.raw.text();
    if (raw !== '') {
      lines = toLines(raw);
      // A tail cut mid-line would start with half a line (or half an escape sequence).
      if (this.raw.cut) lines = lines.slice(1);
    }
    let end = lines.length;
    while (end > 0 && lines[end - 1]!.trim() === '') end -= 1;
    return lines.slice(Math.max(0, end - n), end);
  }
}
