// --notify COMMAND: runs COMMAND (a shell command line) on the moments a person waits for: an
// agent asks for input, an attempt failed, the run finished. The frame is the command's stdin as
// one JSON line; the essentials are in its environment. It never blocks the run: commands run
// beside it, one at a time and in the order of the events (so a hook sees "failed" before
// "finished"); their output goes to relay's stderr, their failures are one line there.
import { spawn, type ChildProcess } from 'node:child_process';
import type { RunView } from '../fanout/status.js';
import { succeeded } from '../fanout/outcomes.js';
import { encodeFrame } from '../frames/encode.js';
import type { Frame } from '../frames/types.js';

export type NotifyEvent = 'awaiting_input' | 'attempt_failed' | 'run_finished';

/** How long the end of the run waits for notify commands still running (run_finished's included). */
const FINISH_WAIT_MS = 5000;

function eventOf(frame: Frame): NotifyEvent | undefined {
  if (frame.type === 'agent_event' && frame.kind === 'awaiting_input') return 'awaiting_input';
  if (frame.type === 'worker_exited' && frame.reason !== 'cancelled' && !succeeded({ reason: frame.reason, exitCode: frame.exit_code })) return 'attempt_failed';
  if (frame.type === 'run_finished') return 'run_finished';
  return undefined;
}

function environment(event: NotifyEvent, frame: Frame, runId: string): Record<string, string> {
  const env: Record<string, string> = { RELAY_EVENT: event, RELAY_RUN_ID: runId };
  if ('worker' in frame) env.RELAY_WORKER = frame.worker;
  if ('task_id' in frame) (env.RELAY_TASK_ID = frame.task_id), (env.RELAY_TASK_NUMBER = String(frame.task)), (env.RELAY_ATTEMPT = String(frame.attempt));
  if (frame.type === 'worker_exited') (env.RELAY_REASON = frame.reason), (env.RELAY_EXIT_CODE = String(frame.exit_code ?? ''));
  if (frame.type === 'run_finished') (env.RELAY_REASON = frame.reason), (env.RELAY_EXIT_CODE = String(frame.exit_code)), (env.RELAY_OK = String(frame.ok));
  return env;
}

export interface Notifier {
  /** Waits (at most a few seconds) for the commands still running, then lets them be. */
  finish(): Promise<void>;
}

export function watchNotify(run: RunView & { runId: string }, command: string, stderr: NodeJS.WritableStream): Notifier {
  let chain: Promise<void> = Promise.resolve();
  let current: ChildProcess | undefined;
  const notify = (event: NotifyEvent, frame: Frame): Promise<void> =>
    new Promise((resolve) => {
      const child = spawn('/bin/sh', ['-c', command], {
        env: { ...process.env, ...environment(event, frame, run.runId) },
        // stdout carries frames only: the command's output goes to stderr.
        stdio: ['pipe', 2, 2],
      });
      current = child;
      // A command that does not read its stdin (EPIPE) is its own business, not the run's.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(encodeFrame(frame));
      child.on('error', (err) => stderr.write(`relay: --notify: ${err.message}\n`));
      child.on('close', (code, signal) => {
        if (code !== 0) stderr.write(`relay: --notify: the command exited ${signal ?? code} on ${event}\n`);
        resolve();
      });
    });
  const unsubscribe = run.observe((frame) => {
    const event = eventOf(frame);
    if (event) chain = chain.then(() => notify(event, frame));
  });
  return {
    async finish() {
      unsubscribe();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), FINISH_WAIT_MS)));
      if ((await Promise.race([chain, late])) === 'late') {
        stderr.write(`relay: --notify: still running after ${FINISH_WAIT_MS / 1000}s; not waiting for it\n`);
        current?.unref();
      }
      clearTimeout(timer);
    },
  };
}
