// Line mode: one worker's output also (or only) as worker_line frames. A wrapper around the
// worker's emit function, so the engine needs one line to switch it on: worker_stream bodies go
// through (unless stream is off) and feed a LineAssembler; each completed line, and an unfinished
// one after a quiet period, becomes a worker_line; worker_exited first flushes what is left.
import { usageError } from '../errors.js';
import type { FrameBody, WorkerLine } from '../frames/types.js';
import { DEFAULT_MAX_LINE_LENGTH, LineAssembler } from './assembler.js';
import { realTimers, type Timers } from '../timers.js';

export const DEFAULT_QUIET_MS = 200;

/** Settings of line mode (FanoutOptions.lines). */
export interface LineModeOptions {
  /** An unfinished line is emitted after this many ms without output from its worker. Default 200. */
  quietMs?: number;
  /** Longer lines are split into pieces of at most this many characters. Default 4096. */
  maxLength?: number;
}

export interface LineMode extends Required<LineModeOptions> {
  /** Whether worker_stream frames are still emitted. */
  stream: boolean;
}

export type { Timers };

/**
 * Line mode from the engine's options, or null when it is off. Dropping worker_stream
 * (`stream: false`) implies line mode: the output would otherwise go nowhere.
 */
export function resolveLineMode(lines: boolean | LineModeOptions | undefined, stream: boolean | undefined): LineMode | null {
  if (!lines && stream !== false) return null;
  const o = typeof lines === 'object' ? lines : {};
  const quietMs = o.quietMs ?? DEFAULT_QUIET_MS;
  const maxLength = o.maxLength ?? DEFAULT_MAX_LINE_LENGTH;
  if (!(quietMs >= 0)) throw usageError(`must be 0 or more, got ${quietMs}`, { option: 'lines.quietMs', value: quietMs });
  if (!Number.isInteger(maxLength) || maxLength < 1) throw usageError(`must be a positive integer, got ${maxLength}`, { option: 'lines.maxLength', value: maxLength });
  return { quietMs, maxLength, stream: stream !== false };
}

/** Wraps one worker's emit function with line mode. */
export function withLines(emit: (body: FrameBody) => void, mode: LineMode, timers: Timers = realTimers): (body: FrameBody) => void {
  const assembler = new LineAssembler({ maxLength: mode.maxLength });
  let timer: unknown;
  const stopTimer = (): void => {
    if (timer !== undefined) timers.clear(timer);
    timer = undefined;
  };
  // A line frame names the worker and task attempt of the output it came from.
  type Source = Pick<WorkerLine, 'worker' | 'task' | 'task_id' | 'attempt'>;
  const line = ({ worker, task, task_id, attempt }: Source, text: string): void =>
    emit({ type: 'worker_line', worker, text, task, task_id, attempt });
  const flush = (source: Source): void => {
    stopTimer();
    const text = assembler.flush();
    if (text !== undefined) line(source, text);
  };
  return (body) => {
    if (body.type === 'worker_stream') {
      if (mode.stream) emit(body);
      stopTimer();
      for (const text of assembler.push(body.data)) line(body, text);
      if (assembler.pending) timer = timers.set(() => flush(body), mode.quietMs);
      return;
    }
    // Every line of a worker comes before its worker_exited frame.
    if (body.type === 'worker_exited') flush(body);
    emit(body);
  };
}
