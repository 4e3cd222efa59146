import { RelayError } from '../errors.js';

/** Exit status for each error family member; oclif's own parse errors are usage errors too. */
export function exitCodeFor(err: Error & { exitCode?: number; oclif?: { exit?: number } }): number {
  if (err instanceof RelayError) {
    if (err.code === 'USAGE' || err.code === 'BAD_FRAME') return 2;
    return err.code === 'OUTPUT_CLOSED' ? 141 : 74;
  }
  // Anything else is a bug in relay (EX_SOFTWARE).
  return err.oclif?.exit ?? err.exitCode ?? 70;
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
    process.exitCode = 141;
    return;
  }
  process.stderr.write(`relay: ${oneLine(err.message)}\n`);
  process.exitCode = exitCodeFor(err);
}
