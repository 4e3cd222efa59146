import { toLines } from './assembler.js';

const DEFAULT_TAIL_CHARS = 16 * 1024;

/**
 * The end of one worker's output, kept cheaply (amortised O(1) per chunk) while a run goes on,
 * turned into readable lines only when asked: for the last lines of a failed worker.
 */
export class OutputTail {
  private raw = '';
  /** Lines from worker_line frames, for streams recorded without worker_stream. */
  private lineTexts: string[] = [];
  private cut = false;

  constructor(private readonly maxChars = DEFAULT_TAIL_CHARS) {}

  add(data: string): void {
    this.raw += data;
    if (this.raw.length > this.maxChars * 2) {
      this.raw = this.raw.slice(-this.maxChars);
      this.cut = true;
    }
  }

  addLine(text: string): void {
    this.lineTexts.push(text);
    if (this.lineTexts.length > 1000) this.lineTexts = this.lineTexts.slice(-100);
  }

  /** The last `n` lines it showed (ANSI stripped, redraws resolved), trailing blank lines left out. */
  lastLines(n: number): string[] {
    let lines = this.lineTexts;
    if (this.raw !== '') {
      lines = toLines(this.raw.slice(-this.maxChars));
      // A tail cut mid-line would start with half a line (or half an escape sequence).
      if (this.cut || this.raw.length > this.maxChars) lines = lines.slice(1);
    }
    let end = lines.length;
    while (end > 0 && lines[end - 1]!.trim() === '') end -= 1;
    return lines.slice(Math.max(0, end - n), end);
  }
}
