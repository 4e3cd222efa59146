import { RelayError } from '../errors.js';
import { ERROR_EXIT_CODES, EXIT } from '../exit-codes.js';

/**
 * The command-line spelling of each engine option a flag sets. The engine names its option
 * (`lowWaterMark: …`, as a library caller passed it); the CLI edge says `--low-water-mark: …`.
 */
export const OPTION_FLAGS: Readonly<Record<string, string>> = {
  workers: '--workers',
  tasks: '--tasks',
  shard: '--shard',
  maxFailures: '--max-failures',
  maxCostUsd: '--max-cost',
  maxTokens: '--max-tokens',
  taskMaxCostUsd: '--task-max-cost',
  taskMaxTokens: '--task-max-tokens',
  timeoutMs: '--timeout',
  idleTimeoutMs: '--idle-timeout',
  retries: '--retries',
  retryDelayMs: '--retry-delay',
  staggerMs: '--stagger',
  input: '--input',
  cols: '--cols',
  rows: '--rows',
  graceMs: '--grace',
  highWaterMark: '--high-water-mark',
  lowWaterMark: '--low-water-mark',
  agent: '--agent',
  onInput: '--on-input',
  worktree: '--worktree',
  keepWorktrees: '--keep-worktrees',
  resultsDir: '--results',
};

/** Exit status for each error family member; oclif's own parse errors are usage errors too. */
export function exitCodeFor(err: Error & { exitCode?: number; oclif?: { exit?: number } }): number {
  if (err instanceof RelayError) return ERROR_EXIT_CODES[err.code];
  // Anything else is a bug in relay (EX_SOFTWARE).
  return err.oclif?.exit ?? err.exitCode ?? EXIT.internal;
}

/** The error's message as the command line says it: an engine option becomes its flag. */
export function cliMessage(err: Error): string {
  if (!(err instanceof RelayError) || err.option === undefined) return err.message;
  const flag = OPTION_FLAGS[err.option];
  return flag ? `${flag}: ${err.reason}` : err.message;
}

/** oclif's messages span lines and end with a help hint; people and CI logs want one line. */
export function oneLine(message: string): string {
  return message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^See more help with/.test(l))
    .join(' ')
    .replace(/^Error: /, '')
    .replace(/^The following errors? occurred: /, '')
    .replace(/^Parsing (--[\w-]+) /, '$1: ');
}

/** The CLI edge: one line on stderr, the right exit status, nothing on stdout. */
export function reportError(err: Error & { exitCode?: number; oclif?: { exit?: number } }): void {
  if (err instanceof RelayError && err.code === 'OUTPUT_CLOSED') {
    // The reader of stdout left (`relay replay … | head`): nobody to tell, exit as SIGPIPE would.
    process.exitCode = EXIT.output_closed;
    return;
  }
  process.stderr.write(`relay: ${oneLine(cliMessage(err))}\n`);
  process.exitCode = exitCodeFor(err);
}
