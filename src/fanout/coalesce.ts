// One worker_stream frame for a burst of output instead of one per terminal read: a terminal read
// is often a few bytes (a spinner frame, a word), under an envelope of ~110. Consecutive output of
// one attempt is held for at most a short window and sent as one frame; any other frame of the
// attempt (agent_event, worker_exited…) sends what is held first, so every byte still arrives,
// in order, before the frames that follow it.
import type { FrameBody, WorkerStream } from '../frames/types.js';
import { realTimers, type Timers } from '../timers.js';

/** The window unless told otherwise: chosen from measurements in bench/README.md. */
export const DEFAULT_COALESCE_MS = 20;
/**
 * About one terminal read (Linux gives at most 4095 bytes): output arriving that fast gains
 * nothing from waiting (its envelope is under 3%), so it is sent at once, and holding it would
 * only keep every byte alive long enough to reach V8's old generation (measured at 9 × 5 MB:
 * +0.5 s CPU and +20 MB RSS with a 64 KiB limit).
 */
const FULL_FRAME_CHARS = 4096;

export interface CoalesceOptions {
  windowMs: number;
  /**
   * True while the consumer is behind (the run paused its workers): held output then waits a
   * little longer, as it could not go out sooner. Not merely "frames are queued": other workers'
   * windows end in the same turn, and holding on for them put 40 ms into the latency's tail.
   */
  behind?: () => boolean;
  /** The run's timers and clock (fakes in tests). */
  timers?: Timers;
  now?: () => number;
}

/** Wraps one attempt's emit function; windowMs 0 returns it unchanged. */
export function withCoalescing(emit: (body: FrameBody) => void, options: CoalesceOptions): (body: FrameBody) => void {
  const { windowMs, behind = () => false, timers = realTimers, now = Date.now } = options;
  if (windowMs <= 0) return emit;
  let held: WorkerStream | undefined;
  let heldSince = 0;
  let timer: unknown;
  const send = (): void => {
    timers.clear(timer);
    timer = undefined;
    const body = held;
    held = undefined;
    if (body) emit(body);
  };
  // A writer that is behind would not send the frame sooner: hold on, up to 2 windows.
  const due = (): void => {
    if (behind() && now() - heldSince < 2 * windowMs) timer = timers.set(due, windowMs);
    else send();
  };
  return (body) => {
    // Another kind of frame, or a full read: what is held goes first, then this, at once.
    if (body.type !== 'worker_stream' || body.data.length >= FULL_FRAME_CHARS) {
      send();
      return emit(body);
    }
    if (held) held = { ...held, data: held.data + body.data };
    else (held = body as WorkerStream), (heldSince = now());
    if (held.data.length >= FULL_FRAME_CHARS) send();
    else timer ??= timers.set(due, windowMs);
  };
}
