// Worker output never reaches a person's terminal as control sequences (issue 13, class 4): a
// corpus of real escape sequences (xterm's control sequences, terminal-security research: title
// and clipboard writes, reports that type into the shell, nested sequences that survive a
// one-pass strip) printed by workers whose rows, plain lines, GitHub groups, summaries and step
// summary are read back through a real pseudo-terminal.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pty from 'node-pty';
import { describe, expect, it } from 'vitest';
import { safeText } from '../src/sanitize.js';
import { RELAY, ROOT } from './helpers/cli.js';
import { tmp } from './helpers/temp.js';

const ESC = '\x1b';
const CORPUS: [string, string][] = [
  ['OSC 52 clipboard write, BEL', `${ESC}]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07`],
  ['OSC 52 nested so one strip pass revives it', `${ESC}${ESC}[0m]52;c;Y3VybA==\x07`],
  ['OSC 0 window title, ST', `${ESC}]0;pwned${ESC}\\`],
  ['OSC 8 hyperlink', `${ESC}]8;;https://evil.example/${ESC}\\click${ESC}]8;;${ESC}\\`],
  ['OSC 1337 iTerm2 file', `${ESC}]1337;File=name=eA==;inline=1:AAAA\x07`],
  ['DCS DECRQSS (answers into the input)', `${ESC}P$qm${ESC}\\`],
  ['APC kitty graphics', `${ESC}_Gf=100;AAAA${ESC}\\`],
  ['PM and SOS', `${ESC}^privacy${ESC}\\${ESC}Xstart${ESC}\\`],
  ['CSI 6n cursor report', `${ESC}[6n`],
  ['CSI 21t title report', `${ESC}[21t`],
  ['CSI alt screen, clear, resize', `${ESC}[?1049h${ESC}[2J${ESC}[8;5;5t`],
  ['bracketed paste on, RIS reset', `${ESC}[?2004h${ESC}c`],
  ['8-bit C1 CSI, OSC, DCS, APC, PM, SOS, NEL', '\u009b6n\u009d52;c;AAAA\u009c\u0090$qm\u009c\u009fG\u009c\u009ex\u009c\u0098y\u009c\u0085'],
  ['bidi overrides and isolates', 'admin\u202e\u2066txt.exe\u2069\u202c \u202a\u202b\u202d\u2067\u2068\u200e\u200f\u061c'],
  ['backspace overwrite, BEL, DEL, NUL-free C0', 'rm -rf /\b\b\b\b\b\b\b\bls\x07\x7f\x01\x02\x03\x0b\x0c\x0e\x0f\x1a\x1c\x1f'],
];

/** What must never reach the terminal from a worker, whatever relay draws itself. */
const FORBIDDEN: [string, RegExp][] = [
  ['an OSC/DCS/APC/PM/SOS introducer', /\x1b[\]P_^X]/],
  ['an 8-bit C1 control', /[\u0080-\u009f]/],
  ['BEL', /\x07/],
  ['a bidi control', /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/],
  ['a sequence relay never sends itself', /\x1b\[(6n|21t|\?1049h|2J|8;5;5t|\?2004h)|\x1bc/],
  ['a backspace or DEL', /[\b\x7f]/],
];

const dir = tmp('relay-sanitize-');

function tasksFile(): string {
  const file = join(dir, 'tasks.ndjson');
  // The task's id and text carry sequences too: they are shown in rows, lines and summaries.
  writeFileSync(file, CORPUS.map(([, seq], i) => JSON.stringify({ id: `t${i}${seq}`, prompt: seq })).join('\n') + '\n');
  return file;
}

/** Runs relay with stderr (and stdout, for relay summary) on a real terminal. */
function onTerminal(shell: string, env: Record<string, string> = {}): Promise<string> {
  const term = pty.spawn('bash', ['-c', shell], { cols: 200, rows: 60, cwd: ROOT, env: { ...process.env, CI: '', GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '', ...env } as Record<string, string> });
  let screen = '';
  term.onData((d) => (screen += d));
  return new Promise((resolve) => term.onExit(() => resolve(screen)));
}

const relay = `"${process.execPath}" "${RELAY}"`;
// Every worker prints its sequence between markers, stays up long enough to be drawn, and fails.
const worker = `-- sh -c 'printf "MARK<%s>END\\n" "$1"; sleep 1.5; exit 3' _ {}`;

function expectClean(screen: string, what: string): void {
  for (const [name, pattern] of FORBIDDEN) expect(pattern.test(screen), `${what}: ${name} in ${JSON.stringify(screen.slice(Math.max(0, screen.search(pattern) - 40), screen.search(pattern) + 40))}`).toBe(false);
}

describe('worker output on the terminal', () => {
  const tasks = tasksFile();
  const frames = join(dir, 'frames.ndjson');

  it('live rows and the summary below them carry no control sequence from a worker', async () => {
    const screen = await onTerminal(`${relay} fanout --tasks ${tasks} --workers ${CORPUS.length} --progress tty -o ${frames} ${worker}`);
    expect(screen).toContain('MARK<'); // the rows did show the workers' lines
    expect(screen).toMatch(/relay: failed: /);
    expectClean(screen, 'tty');
  });

  it('plain lines, GitHub groups, relay summary (text and markdown) and the step summary carry none either', async () => {
    const step = join(dir, 'step-summary.md');
    writeFileSync(step, '');
    const plain = await onTerminal(`${relay} fanout --tasks ${tasks} --workers ${CORPUS.length} --progress plain -o ${frames} ${worker}`, { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: step });
    expect(plain).toContain('::group::');
    expect(plain).toContain('MARK<');
    // Plain progress draws nothing of its own: no escape at all, only line ends.
    expect(plain.replaceAll('\r\n', '\n')).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
    expectClean(plain, 'plain');
    const summary = await onTerminal(`${relay} summary ${frames}; ${relay} summary --format markdown ${frames}`);
    expect(summary).toContain('MARK<');
    expect(summary.replaceAll('\r\n', '\n')).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
    expectClean(summary, 'relay summary');
    const md = readFileSync(step, 'utf8');
    expect(md).toContain('MARK<');
    expect(md).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
    expectClean(md, 'step summary');
  });

  it('safeText removes what a single strip pass revives, and keeps the visible text', () => {
    expect(safeText(`${ESC}${ESC}[0m]52;c;Y3VybA==\x07 ok`)).toBe(']52;c;Y3VybA== ok');
    expect(safeText(`${ESC}[31mred${ESC}[0m\ttab`)).toBe('red tab');
    expect(safeText('héllo — 日本語 🎉')).toBe('héllo — 日本語 🎉');
    for (const [, seq] of CORPUS) expect(safeText(seq)).not.toMatch(/[\p{Cc}\p{Bidi_Control}]/u);
  });
});
