// Every exit status relay uses, once. The engine (RunResult.exitCode), the CLI edge and the
// docs all read this table: README.md, docs/frames.md and docs/reliability.md hold generated
// copies (scripts/docs.js, run by `npm run build`; test/exit-codes.test.ts fails on drift) and
// `relay fanout --help` formats it. Signal statuses are 128 + the signal's number, as a shell
// reports a process killed by it.
import type { RelayErrorCode } from './errors.js';
import type { RunEnd } from './frames/types.js';

export interface ExitCodeEntry {
  code: number;
  name: ExitName;
  /** When relay fanout exits with it, in words (Markdown: `code` spans). */
  when: string;
}

export const EXIT_CODES = [
  { code: 0, name: 'ok', when: 'every task succeeded (after its retries)' },
  {
    code: 1,
    name: 'failed',
    when: 'a task failed: non-zero exit, killed by a signal, timeout, idle, its agent waited for input (`--on-input fail`), or could not start (127 / 126); also after `--fail-fast` / `--max-failures`, and when a budget was reached (`--max-cost`, `--max-tokens`, `--task-max-cost`, `--task-max-tokens`)',
  },
  {
    code: 2,
    name: 'usage',
    when: 'usage error: a bad flag or value, an unreadable or bad task list, a bad `relay.config.json`, an `--agent` whose program is not installed, `--worktree` outside a git repository, bad `relay merge` / `replay` / `summary` input; nothing is written to stdout',
  },
  { code: 69, name: 'unavailable', when: 'relay cannot run workers here: an unsupported platform or node-pty version, or git failing underneath `--worktree`' },
  { code: 70, name: 'internal', when: 'a bug in relay (please report it with the message)' },
  { code: 74, name: 'output_failed', when: 'frames, or a file of the `--results` folder, could not be written (e.g. disk full): one line on stderr names the destination and the cause' },
  { code: 129, name: 'hangup', when: 'hangup (SIGHUP: the terminal or ssh session went away)' },
  { code: 130, name: 'interrupted', when: 'interrupted (SIGINT, Ctrl-C); a second Ctrl-C kills the workers at once' },
  { code: 131, name: 'quit', when: 'quit (SIGQUIT, Ctrl-\\)' },
  { code: 141, name: 'output_closed', when: 'the frame reader closed the pipe (`relay … | head`; 128 + SIGPIPE, so under `set -o pipefail` the pipeline reports 141)' },
  { code: 143, name: 'terminated', when: 'terminated (SIGTERM)' },
] as const satisfies readonly { code: number; name: string; when: string }[];

export type ExitName = (typeof EXIT_CODES)[number]['name'];

/** Exit status by name: `EXIT.usage` is 2. */
export const EXIT = Object.fromEntries(EXIT_CODES.map((e) => [e.name, e.code])) as { readonly [N in ExitName]: Extract<(typeof EXIT_CODES)[number], { name: N }>['code'] };

/** The exit status of a run stopped for `reason` (a completed run exits ok or failed). */
export const STOP_EXIT_CODES: Record<Exclude<RunEnd, 'completed'>, number> = {
  interrupted: EXIT.interrupted,
  terminated: EXIT.terminated,
  hangup: EXIT.hangup,
  quit: EXIT.quit,
  output_closed: EXIT.output_closed,
  output_failed: EXIT.output_failed,
  aborted: EXIT.failed,
  fail_fast: EXIT.failed,
  budget: EXIT.failed,
};

/** The exit status for each member of the error family. */
export const ERROR_EXIT_CODES: Record<RelayErrorCode, number> = {
  USAGE: EXIT.usage,
  BAD_FRAME: EXIT.usage,
  OUTPUT_CLOSED: EXIT.output_closed,
  OUTPUT_FAILED: EXIT.output_failed,
  GIT: EXIT.unavailable,
  UNSUPPORTED: EXIT.unavailable,
};

const byName = new Map<string, ExitCodeEntry>(EXIT_CODES.map((e) => [e.name, e]));

/** Rows of the table, in code order; `names` picks some, `when` rewords some for one command. */
export function exitCodeRows(names?: readonly ExitName[], when: Partial<Record<ExitName, string>> = {}): ExitCodeEntry[] {
  return (names ?? EXIT_CODES.map((e) => e.name))
    .map((name) => byName.get(name)!)
    .sort((a, b) => a.code - b.code)
    .map((e) => ({ ...e, when: when[e.name] ?? e.when }));
}

/** The table as Markdown, for README.md and docs/. */
export function exitCodesMarkdown(rows: readonly ExitCodeEntry[] = exitCodeRows()): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  return ['| code | name | when |', '|---|---|---|', ...rows.map((e) => `| ${e.code} | \`${e.name}\` | ${cell(e.when)} |`)].join('\n');
}

/** The table as `--help` text: "  130  interrupted …", wrapped at `width` with a hanging indent. */
export function exitCodesHelp(rows: readonly ExitCodeEntry[] = exitCodeRows(), width = 76): string {
  const indent = ' '.repeat(7);
  return rows
    .map((e) => {
      const words = e.when.replace(/`/g, '').split(' ');
      const lines: string[] = [];
      let line = `  ${String(e.code).padEnd(5)}`;
      for (const word of words) {
        if (line.trim() !== String(e.code) && line.length + 1 + word.length > width) {
          lines.push(line);
          line = indent + word;
        } else line += (line.endsWith(' ') ? '' : ' ') + word;
      }
      return [...lines, line].join('\n');
    })
    .join('\n');
}
