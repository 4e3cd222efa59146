// relay with stderr on a real pseudo-terminal, read by a real terminal emulator (xterm.js,
// headless, with scrollback): tests assert on what a person would see, scrollback included,
// and on whether the terminal had to wrap any line.
import { readFileSync, writeFileSync } from 'node:fs';
import { tmp } from './temp.js';
import { join } from 'node:path';
import xterm from '@xterm/headless';
import pty from 'node-pty';
import { RELAY, ROOT } from './cli.js';

export interface Seen {
  /** Every line the terminal holds, scrollback then screen, right-trimmed, trailing blanks left out. */
  lines: string[];
  /** For each line: did the terminal wrap it onto there from the line above? */
  wrapped: boolean[];
  code: number;
  /** What relay wrote on stdout (a pipe: `| cat > file`). */
  frames: string;
  /** The screen (no scrollback) when it first showed text matching `peek`, if it did. */
  peeked: string[] | undefined;
}

export interface TerminalRun {
  cols: number;
  rows: number;
  env?: Record<string, string>;
  /** Narrow the terminal once stderr shows text matching `when` (rows must then need cutting). */
  resize?: { when: RegExp; cols: number; rows: number };
  /** Take a look at the screen once it shows text matching this… */
  peek?: RegExp;
  /** …then create this file (workers can wait for it: the look is taken while they run). */
  gate?: string;
}

const SENTINEL = '#relay-test-exit:';

function visible(term: xterm.Terminal): string[] {
  const buffer = term.buffer.active;
  return Array.from({ length: term.rows }, (_, y) => buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
}

/** A fresh path for TerminalRun.gate, and the shell words that wait for it. */
export function gate(): { path: string; wait: string } {
  const path = join(tmp('relay-gate-'), 'go');
  return { path, wait: `while [ ! -e ${path} ]; do sleep 0.05; done` };
}

/** Runs `relay fanout ARGS` with stdout piped to a file and stderr on a cols×rows terminal. */
export function fanoutOnTerminal(args: string, t: TerminalRun): Promise<Seen> {
  const out = join(tmp('relay-term-'), 'frames.ndjson');
  const term = new xterm.Terminal({ cols: t.cols, rows: t.rows, scrollback: 100_000, allowProposedApi: true });
  // node-pty may report the exit before the last output (it waits a fixed time for it): the
  // shell's closing words are the event that everything before them arrived.
  const script = `set -o pipefail; "${process.execPath}" "${RELAY}" fanout ${args} | cat > ${out}; printf '${SENTINEL}%d' $?`;
  const child = pty.spawn('bash', ['-c', script], {
    cols: t.cols,
    rows: t.rows,
    cwd: ROOT,
    env: { ...process.env, CI: '', ...t.env } as Record<string, string>,
  });
  let text = '';
  let resize = t.resize;
  let peek = t.peek;
  let peeked: string[] | undefined;
  let reflow: { cols: number; rows: number } | undefined;
  child.onData((d) => {
    text += d;
    // The terminal reflows its lines when it gets relay's first rows cut to the new width: as
    // a real one would have just before. (Reflowing earlier would catch rows relay drew before
    // it heard of the resize, which no program can erase exactly.)
    if (reflow && d.includes('…')) term.resize(reflow.cols, reflow.rows), (reflow = undefined);
    term.write(d, () => {
      if (resize && resize.when.test(text)) {
        child.resize(resize.cols, resize.rows);
        reflow = { cols: resize.cols, rows: resize.rows };
        resize = undefined;
      }
      if (!peek) return;
      // What the screen shows now, not what was ever written: a later redraw may have replaced it.
      const screen = visible(term);
      if (!peek.test(screen.join('\n'))) return;
      peeked = screen;
      peek = undefined;
      if (t.gate) writeFileSync(t.gate, '');
    });
  });
  return new Promise((resolve) => {
    const done = child.onData(() => {
      const end = new RegExp(`${SENTINEL}(\\d+)$`).exec(text);
      if (!end) return;
      done.dispose();
      const exitCode = Number(end[1]);
      // The callback runs once everything written before it has been parsed.
      term.write('', () => {
        const buffer = term.buffer.active;
        const lines: string[] = [];
        const wrapped: boolean[] = [];
        for (let y = 0; y < buffer.length; y++) {
          const line = buffer.getLine(y)!;
          wrapped.push(line.isWrapped);
          lines.push(line.translateToString(true));
        }
        while (lines.length > 0 && (lines.at(-1) === '' || lines.at(-1)!.startsWith(SENTINEL))) lines.pop();
        wrapped.length = lines.length;
        term.dispose();
        resolve({ lines, wrapped, code: exitCode, frames: readFileSync(out, 'utf8'), peeked });
      });
    });
  });
}
