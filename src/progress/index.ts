import type { Progress, ProgressMode } from './types.js';

export type { Progress, ProgressMode } from './types.js';

export interface ProgressOptions {
  stderr: NodeJS.WriteStream;
  env?: NodeJS.ProcessEnv;
  /** At most this many live rows (the terminal's height caps them anyway). */
  maxRows?: number;
  /** Plain mode: lines of each failed attempt's output shown after its report (default 20; 0: none). */
  failureLines?: number;
  /** Plain mode: every line of output, after "w3 | " (implies plain when the mode is auto). */
  tag?: boolean;
}

function inCI(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

/** The renderer is chosen from stderr's terminal-ness (never stdout's), and CI. */
export async function createProgress(mode: ProgressMode, options: ProgressOptions): Promise<Progress> {
  const env = options.env ?? process.env;
  const chosen = mode === 'auto' ? (options.stderr.isTTY && !inCI(env) && !options.tag ? 'tty' : 'plain') : mode;
  if (chosen === 'none') return { start() {}, async stop() {} };
  if (chosen === 'plain') {
    const { PlainProgress } = await import('./plain.js');
    const { inGithubActions } = await import('./github.js');
    return new PlainProgress(options.stderr, { github: inGithubActions(env), failureLines: options.failureLines, tag: options.tag });
  }
  const { TtyProgress } = await import('./tty.js');
  return new TtyProgress(options.stderr, options.maxRows);
}
