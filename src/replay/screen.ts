// A worker's final screen, rendered by a real terminal emulator (xterm.js, headless): cursor
// movement, erasing, scrolling and the alternate screen all land where a terminal puts them.
// Imported lazily: only `relay replay` and --results pay for loading it.
import type { IModes, Terminal as XTerm } from '@xterm/headless';

/**
 * The largest screen made, whatever a frame file's run_started says: a screen's memory grows
 * with cols × rows (1000 × 1000 is about 13 MB), so a crafted file could otherwise ask for
 * gigabytes. relay's own runs are far smaller (--cols/--rows default to 120 × 40).
 */
export const MAX_SCREEN_COLS = 1000;
export const MAX_SCREEN_ROWS = 1000;

/** What a terminal left behind that a person's terminal would keep: for `replay --live` to undo. */
export interface TerminalState {
  alternate: boolean;
  modes: IModes;
}

export interface Screen {
  /** Feeds output; `parsed` runs once it has been processed (xterm parses asynchronously). */
  write(data: string, parsed?: () => void): void;
  /** The visible rows once everything written is processed: right-trimmed, trailing blank rows left out. */
  text(): Promise<string[]>;
  /** Its modes once everything written is processed. */
  state(): Promise<TerminalState>;
  dispose(): void;
}

/** A size within the limits above (and at least 1 × 1). */
export function clampSize(size: { cols: number; rows: number }): { cols: number; rows: number } {
  return { cols: Math.min(MAX_SCREEN_COLS, Math.max(1, size.cols)), rows: Math.min(MAX_SCREEN_ROWS, Math.max(1, size.rows)) };
}

export async function createScreen(cols: number, rows: number): Promise<Screen> {
  return (await loadScreens())({ cols, rows });
}

/** Loads the terminal emulator once; the function it returns makes screens without waiting. */
export async function loadScreens(): Promise<(size: { cols: number; rows: number }) => Screen> {
  // @xterm/headless is CommonJS: its named exports come through the default export (under Node;
  // some loaders hand them over directly).
  const xterm = (await import('@xterm/headless')) as unknown as { default?: { Terminal: typeof XTerm }; Terminal: typeof XTerm };
  const { Terminal } = xterm.default ?? xterm;
  return (requested) => makeScreen(new Terminal({ ...clampSize(requested), scrollback: 0, allowProposedApi: true }));
}

function makeScreen(term: XTerm): Screen {
  const size = { rows: term.rows };
  // The callback of an empty write runs once everything written before it has been parsed.
  const settled = <T>(read: () => T): Promise<T> => new Promise((resolve) => term.write('', () => resolve(read())));
  return {
    write: (data, parsed) => term.write(data, parsed),
    text: () =>
      settled(() => {
        const buffer = term.buffer.active;
        const lines: string[] = [];
        for (let y = 0; y < size.rows; y++) lines.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
        while (lines.length > 0 && lines.at(-1) === '') lines.pop();
        return lines;
      }),
    state: () => settled(() => ({ alternate: term.buffer.active.type === 'alternate', modes: { ...term.modes } })),
    dispose: () => term.dispose(),
  };
}
