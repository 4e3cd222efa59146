import type { FanoutRun } from '../fanout/run.js';

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
    if (received === 1) {
      run.stop(signal === 'SIGINT' ? 'interrupted' : 'terminated');
      options.onStop(signal);
      return;
    }
    run.kill();
    options.onForce(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
