import { usageError } from '../errors.js';
import type { Task } from './task.js';

export interface Shard {
  /** Which slice, 1-based. */
  k: number;
  /** How many slices. */
  n: number;
}

/** `K/N` with 1 ≤ K ≤ N, e.g. `2/3`. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const k = Number(m?.[1]);
  const n = Number(m?.[2]);
  if (!m || n < 1 || k < 1 || k > n) throw usageError(`expected K/N with 1 ≤ K ≤ N, e.g. 2/3, got "${text}"`);
  return { k, n };
}

/**
 * The K-th of N slices: task i goes to shard ((i - 1) mod N) + 1. Round-robin rather than
 * contiguous blocks, so neighbouring (often similar-sized) tasks spread over the shards, and a
 * task's shard depends only on its number and N: the N slices cover the list exactly once.
 */
export function selectShard<T extends Pick<Task, 'number'>>(tasks: readonly T[], shard: Shard): T[] {
  return tasks.filter((t) => ((t.number - 1) % shard.n) + 1 === shard.k);
}
