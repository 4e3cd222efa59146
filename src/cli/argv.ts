/**
 * Splits raw argv at the first `--`: flags before it, the worker command after it.
 * oclif's parser moves arguments around `--`, so the command must come from the raw argv;
 * this keeps a command's own flag-like arguments (`-- ls -la --workers`) untouched.
 */
export function splitCommand(argv: readonly string[]): { flags: string[]; command: string[] | undefined } {
  const at = argv.indexOf('--');
  if (at < 0) return { flags: [...argv], command: undefined };
  return { flags: argv.slice(0, at), command: argv.slice(at + 1) };
}
