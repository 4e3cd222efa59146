// --resume-from FILE: read a saved frame stream (cut off mid-run is the normal case: a laptop
// closed, a usage limit hit) and check that it ran the same task list as this run will.
import { RelayError, usageError } from '../errors.js';
import { taskListDigest } from '../fanout/options.js';
import { eachFrame, openInput } from '../frames/input.js';
import type { Shard } from '../tasks/shard.js';
import { ResumeReader } from '../tasks/resume.js';
import type { TaskInput } from '../fanout/options.js';

export async function loadResume(file: string, tasks: readonly TaskInput[] | undefined, shard: Shard | undefined): Promise<{ from: string; succeeded: string[] }> {
  const flag = `--resume-from ${file}`;
  if (!tasks) throw usageError(`${flag}: needs the same task list (--tasks or --task)`);
  const reader = new ResumeReader();
  try {
    await eachFrame(await openInput(file), (f) => reader.add(f));
  } catch (err) {
    if (err instanceof RelayError) throw usageError(`${flag}: ${err.message}`);
    throw err;
  }
  const point = reader.result();
  if (!point) throw usageError(`${flag}: no run_started frame: not a relay frame stream`);
  if (point.taskDigest === undefined) throw usageError(`${flag}: that run had no task list`);
  if (point.taskDigest !== taskListDigest(tasks.map((t, i) => ({ id: t.id ?? String(i + 1), text: t.prompt })))) throw usageError(`${flag}: its task list differs from this one (tasks, ids or order changed)`);
  const was = point.shard ? `${point.shard.k}/${point.shard.n}` : 'none';
  const now = shard ? `${shard.k}/${shard.n}` : 'none';
  if (was !== now) throw usageError(`${flag}: that run had --shard ${was}, this one ${now}`);
  return { from: point.runId, succeeded: point.succeeded };
}
