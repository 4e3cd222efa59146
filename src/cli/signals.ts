import type { FanoutRun } from '../fanout/run.js';
import { STOP_EXIT_CODES } from '../exit-codes.js';

export interface SignalOptions {
  /** Called on the first signal, when the graceful stop begins. */
  onStop(signal: NodeJS.Signals): void;
  /** Called on a second Ctrl-C, after every worker was killed: the CLI exits at once. */
  onForce(code: number): void;
}

/**
 * SIGINT / SIGTERM → a graceful stop (workers' process groups get SIGTERM, SIGKILL after the
 * grace period). A second signal kills everything at once. Returns the clean-up.
 */
export function handleSignals(run: FanoutRun, options: SignalOptions): () => void {
  let received = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    received += 1;
    const reason = signal === 'SIGINT' ? 'interrupted' : 'terminated';
    if (received === 1) {
      run.stop(reason);
      options.onStop(signal);
      return;
    }
    run.kill();
    options.onForce(STOP_EXIT_CODES[reason]);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
