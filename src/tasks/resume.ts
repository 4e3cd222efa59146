// --resume-from: what a saved frame stream says about its tasks. Pure over frames: a task counts
// as done when its last attempt exited 0 (or the run had itself skipped it as done before).
import type { Frame, RunStarted } from '../frames/types.js';

export interface ResumePoint {
  runId: string;
  /** sha256 of that run's full task list; undefined when it had none. */
  taskDigest: string | undefined;
  shard: RunStarted['shard'];
  /** Ids of the tasks that need nothing more. */
  succeeded: string[];
}

/** Folds frames (in order) into the resume point; call result() at the end. */
export class ResumeReader {
  private started: RunStarted | undefined;
  /** Per task id: [attempt, succeeded] of its latest attempt seen. */
  private readonly last = new Map<string, [number, boolean]>();

  add(frame: Frame): void {
    if (frame.type === 'run_started') {
      this.started ??= frame;
      for (const id of frame.resume?.skipped ?? []) this.last.set(id, [0, true]);
    } else if (frame.type === 'worker_exited') {
      const seen = this.last.get(frame.task_id);
      if (seen && seen[0] > frame.attempt) return;
      this.last.set(frame.task_id, [frame.attempt, frame.reason === 'exit' && frame.exit_code === 0]);
    }
  }

  /** Undefined when the stream had no run_started. */
  result(): ResumePoint | undefined {
    if (!this.started) return undefined;
    const succeeded = [...this.last].filter(([, [, ok]]) => ok).map(([id]) => id);
    return { runId: this.started.run_id, taskDigest: this.started.task_digest, shard: this.started.shard, succeeded };
  }
}
