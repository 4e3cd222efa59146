import type { FanoutRun } from '../fanout/run.js';
import { STOP_EXIT_CODES } from '../exit-codes.js';
import type { RunEnd } from '../frames/types.js';

export interface SignalOptions {
  /** Called on the first signal, when the graceful stop begins. */
  onStop(signal: NodeJS.Signals): void;
  /** Called on a second signal, after every worker was killed: the CLI exits at once. */
  onForce(code: number): void;
}

/**
 * What each signal relay handles means: the run's end reason, what its workers are sent, and the
 * exit status (128 + the signal's number, as a shell reports a process killed by it; the numbers
 * are Linux's and every other Unix's alike). SIGHUP means the terminal (or ssh session) is gone:
 * the workers hear what a closing terminal tells them; SIGQUIT (Ctrl-\) stops like SIGTERM.
 */
const SIGNALS = {
  SIGINT: { reason: 'interrupted', send: 'SIGTERM' },
  SIGTERM: { reason: 'terminated', send: 'SIGTERM' },
  SIGHUP: { reason: 'hangup', send: 'SIGHUP' },
  SIGQUIT: { reason: 'quit', send: 'SIGTERM' },
} as const satisfies Partial<Record<NodeJS.Signals, { reason: Exclude<RunEnd, 'completed'>; send: NodeJS.Signals }>>;

type Handled = keyof typeof SIGNALS;

/**
 * SIGINT / SIGTERM / SIGHUP / SIGQUIT → a graceful stop (workers' process groups get a signal,
 * SIGKILL after the grace period). A second signal kills everything at once. Returns the clean-up.
 */
export function handleSignals(run: FanoutRun, options: SignalOptions): () => void {
  let received = 0;
  const onSignal = (signal: Handled): void => {
    received += 1;
    const meaning = SIGNALS[signal];
    if (received === 1) {
      run.stop(meaning.reason, { signal: meaning.send });
      options.onStop(signal);
      return;
    }
    run.kill();
    options.onForce(STOP_EXIT_CODES[meaning.reason]);
  };
  const names = Object.keys(SIGNALS) as Handled[];
  for (const name of names) process.on(name, onSignal);
  return () => {
    for (const name of names) process.off(name, onSignal);
  };
}
