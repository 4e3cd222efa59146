import stripAnsi from 'strip-ansi';

/** The last visible line of raw terminal output: ANSI stripped, carriage-return redraws resolved. */
export function lastLine(tail: string, width = 60): string {
  const lines = stripAnsi(tail).split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    // A spinner redraws with "\r": what follows the last non-empty redraw is what shows.
    const redraws = lines[i]!.split('\r').map((s) => s.trim()).filter((s) => s !== '');
    const text = redraws.at(-1);
    if (text) return text.length > width ? `${text.slice(0, width - 1)}…` : text;
  }
  return '';
}
