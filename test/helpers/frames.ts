import type { Frame } from '../../src/frames/types.js';

export const ofType = <T extends Frame['type']>(frames: Frame[], type: T): Extract<Frame, { type: T }>[] =>
  frames.filter((f): f is Extract<Frame, { type: T }> => f.type === type);

type Stream = Extract<Frame, { type: 'worker_stream' }>;

/** Everything each worker printed, keyed by `key` (default: the slot, "w1"; `byAttempt` for "task/attempt"). */
export function transcripts(frames: Frame[], key: (f: Stream) => string = (f) => f.worker): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of ofType(frames, 'worker_stream')) out.set(key(f), (out.get(key(f)) ?? '') + f.data);
  return out;
}

export const byAttempt = (f: Stream): string => `${f.task}/${f.attempt}`;
