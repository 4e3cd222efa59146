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

/** CI engines that run N copies of a job and tell each its index: [name, index variable, count variable, index base]. */
const ENGINES: readonly [string, string, string | null, 0 | 1][] = [
  ['GitLab CI', 'CI_NODE_INDEX', 'CI_NODE_TOTAL', 1],
  ['CircleCI', 'CIRCLE_NODE_INDEX', 'CIRCLE_NODE_TOTAL', 0],
  ['Buildkite', 'BUILDKITE_PARALLEL_JOB', 'BUILDKITE_PARALLEL_JOB_COUNT', 0],
  // An Indexed Job tells each pod its index, not the count: that comes as auto/N.
  ['a Kubernetes Indexed Job', 'JOB_COMPLETION_INDEX', null, 0],
];

/**
 * `auto` or `auto/N`: the shard this CI job is, from the engine's own variables. `N` is needed
 * where the engine does not say the count (Kubernetes) and must agree where it does.
 */
export function shardFromEnv(text: string, env: NodeJS.ProcessEnv): Shard {
  const m = /^\s*auto\s*(?:\/\s*(\d+)\s*)?$/.exec(text);
  if (!m) return parseShard(text);
  const given = m[1] === undefined ? undefined : Number(m[1]);
  for (const [name, indexVar, countVar, base] of ENGINES) {
    const index = env[indexVar];
    if (index === undefined || index === '') continue;
    const count = countVar ? Number(env[countVar]) : given;
    if (count === undefined) throw usageError(`auto: ${name} gives ${indexVar} but not the count: use auto/N`);
    if (given !== undefined && countVar && given !== count) throw usageError(`auto/${given}: ${name} says ${countVar}=${env[countVar]}`);
    const k = Number(index) + 1 - base;
    if (!Number.isInteger(k) || !Number.isInteger(count) || k < 1 || k > count) throw usageError(`auto: ${name}: ${indexVar}=${index} is not an index of ${count} jobs`);
    return { k, n: count };
  }
  throw usageError(`auto: no CI shard variables found (${ENGINES.map(([, i]) => i).join(', ')}); give K/N`);
}
