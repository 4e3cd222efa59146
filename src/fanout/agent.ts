// Agent-aware attempts (issue 8): the glue between one attempt (Worker) and the run's AgentRun
// (src/agents). Per attempt, in order:
//   prepare  startTask(): its worktree, if any, becomes its cwd (a failure is its spawn_error);
//   text     each chunk of output, after its worker_stream frame: agent_event frames, --on-input;
//   idle     --idle-timeout of silence: an inferred question, if its screen ends in a prompt;
//   end      task.end(): totals, diff stat, results files, before its worker_exited.
import type { AgentRun, AgentTask } from '../agents/agent-run.js';
import type { FrameBody } from '../frames/types.js';
import { attemptSpec } from './attempt.js';
import type { Job } from './jobs.js';
import type { ResolvedOptions } from './options.js';
import type { AttemptExtension, ExitExtras, Worker } from './worker.js';

export interface AgentAttemptContext {
  agent: AgentRun;
  opts: ResolvedOptions;
  slot: number;
  job: Job;
  /** The attempt's own emit (line mode included), so agent_event frames keep its order. */
  emit(body: FrameBody): void;
  /** The attempt, once made. */
  worker(): Worker;
}

export function agentAttempt(c: AgentAttemptContext): AttemptExtension {
  let task: AgentTask | undefined;
  const { job, slot } = c;
  return {
    async prepare(spec) {
      task = await c.agent.startTask(
        { id: job.task.id, number: job.task.number, worker: `w${slot}`, attempt: job.attempt, ...(job.task.text !== null ? { prompt: job.task.text } : {}) },
        {
          emit: c.emit,
          write: (data) => c.worker().write(data),
          fail: () => c.worker().stop('awaiting_input', 'SIGTERM', c.opts.graceMs),
        },
      );
      return task.cwd ? attemptSpec(c.opts, slot, job, task.cwd) : spec;
    },
    text: (text) => task?.onText(text),
    idle: (tail) => (task ? task.onIdle(tail).action !== 'none' : false),
    async end(worker): Promise<ExitExtras> {
      if (!task) return {};
      try {
        return await task.end({ exitCode: worker.exitCode, signal: worker.signal, reason: worker.reason ?? 'exit', durationMs: worker.durationMs });
      } catch (err) {
        // Its outcome stands; what could not be finished (a git or disk failure) is said on worker_exited.
        return { error: `finishing its agent task: ${(err as Error).message}` };
      }
    },
  };
}
