// The frame pump: frames from a run into an awaited FrameWriter, so a slow reader pauses the
// run's workers (through the run's queue) and a vanished one stops the run. What a CLI needs to
// choose its exit status comes back in one outcome; nothing here calls process.exit.
import type { Writable } from 'node:stream';
import type { RelayError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { encodeFrame } from '../frames/encode.js';
import { FrameWriter, type FrameWriterOptions } from '../writer/frame-writer.js';
import type { FanoutRun, RunResult } from './result.js';

export interface PipeOptions extends FrameWriterOptions {
  /**
   * After the run was stopped (not completed, nor ended by --fail-fast), how long a stalled reader may still take the last
   * frames before the pipe gives up on it. Default 1000 ms; a completed run waits as long as the
   * reader needs.
   */
  stopFlushMs?: number;
}

export interface PipeOutcome {
  result: RunResult;
  /** Why the destination failed, if it did: OUTPUT_CLOSED (the reader left) or OUTPUT_FAILED (e.g. ENOSPC). */
  outputError: RelayError | undefined;
  /** False when a stalled reader was abandoned after a stop: its pipe may keep the process alive. */
  flushed: boolean;
  /** The run's exit status, adjusted for the destination: 74 when it failed, 141 when the reader left after the end. */
  exitCode: number;
}

/** After the reader went away nobody wants the output: hang up on the workers, briefly. */
const OUTPUT_CLOSED_STOP = { signal: 'SIGHUP', graceMs: 250 } as const;

export async function pipeRun(run: FanoutRun, dest: Writable, options: PipeOptions = {}): Promise<PipeOutcome> {
  const writer = new FrameWriter(dest, options);
  writer.onFailure((err) => run.stop(err.code === 'OUTPUT_FAILED' ? 'output_failed' : 'output_closed', OUTPUT_CLOSED_STOP));
  const pumped = pump(run, writer);
  const result = await run.result;
  const flushed = await flush(pumped, result, options.stopFlushMs ?? 1000);
  if (!flushed) writer.detach();
  const outputError = writer.error;
  return { result, outputError, flushed, exitCode: exitCodeOf(result, outputError) };
}

/** Every frame to the writer; once it has failed, frames are taken and dropped so the run can end. */
async function pump(run: FanoutRun, writer: FrameWriter): Promise<void> {
  for await (const frame of run) {
    if (writer.error) continue;
    // A rejection is the writer's failure, already handled through onFailure: keep draining.
    await writer.write(encodeFrame(frame)).catch(() => undefined);
  }
  // Likewise: end() rejects only with the failure the outcome reports.
  await writer.end().catch(() => undefined);
}

/**
 * A completed run (or one ended by --fail-fast or a budget, which asked for no interruption) waits for the
 * reader; a stopped one (Ctrl-C during a stall) gives it `ms` at most.
 */
async function flush(pumped: Promise<void>, result: RunResult, ms: number): Promise<boolean> {
  if (result.reason === 'completed' || result.reason === 'output_closed' || result.reason === 'output_failed' || result.reason === 'fail_fast' || result.reason === 'budget') {
    await pumped;
    return true;
  }
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const done = await Promise.race([pumped.then(() => true as const), deadline]);
  clearTimeout(timer);
  return done;
}

function exitCodeOf(result: RunResult, error: RelayError | undefined): number {
  if (error?.code === 'OUTPUT_FAILED') return EXIT.output_failed;
  // The reader left after the last worker ended: still a closed pipe.
  if (error && result.reason === 'completed') return EXIT.output_closed;
  return result.exitCode;
}
