// A worker's final screen, rendered by a real terminal emulator (xterm.js, headless): cursor
// movement, erasing, scrolling and the alternate screen all land where a terminal puts them.
// Imported lazily: only `relay replay` pays for loading it.
import type { Terminal as XTerm } from '@xterm/headless';

export interface Screen {
  write(data: string): void;
  /** The visible rows once everything written is processed: right-trimmed, trailing blank rows left out. */
  text(): Promise<string[]>;
  dispose(): void;
}

export async function createScreen(cols: number, rows: number): Promise<Screen> {
  // @xterm/headless is CommonJS: its named exports come through the default export.
  const { default: xterm } = await import('@xterm/headless');
  const term: XTerm = new xterm.Terminal({ cols, rows, scrollback: 0, allowProposedApi: true });
  return {
    write: (data) => term.write(data),
    text: () =>
      new Promise((resolve) =>
        // The callback runs once everything written before it has been parsed.
        term.write('', () => {
          const buffer = term.buffer.active;
          const lines: string[] = [];
          for (let y = 0; y < rows; y++) lines.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
          while (lines.length > 0 && lines.at(-1) === '') lines.pop();
          resolve(lines);
        }),
      ),
    dispose: () => term.dispose(),
  };
}

/** The final screen a terminal of this size shows after `transcript` (the results folder's screen.txt). */
export async function renderScreen(transcript: string, size: { cols: number; rows: number }): Promise<string> {
  const screen = await createScreen(size.cols, size.rows);
  try {
    screen.write(transcript);
    return (await screen.text()).join('\n') + '\n';
  } finally {
    screen.dispose();
  }
}
