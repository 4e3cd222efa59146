// Agent-aware attempts: the glue between one attempt and the run's AgentExtension. Per attempt, in order:
//   prepare  startTask(): its worktree, if any, becomes its cwd (a failure is its spawn_error);
//            a retry may run its CLI's resume form instead (--resume-session);
//   text     each chunk of output, after its worker_stream frame: agent_event frames, --on-input;
//   idle     --idle-timeout of silence: an inferred question, if its screen ends in a prompt;
//   end      task.end(): totals, diff stat, results files, before its worker_exited.
import type { AttemptExtension, AttemptExtensionContext, AttemptSpec, ExitExtras } from '../fanout/extension.js';
import type { AgentTask, TaskInfo, TaskIo } from './extension.js';

export function agentAttemptHooks(
  c: AttemptExtensionContext,
  startTask: (info: TaskInfo, io: TaskIo) => Promise<AgentTask>,
  resumed: (spec: AttemptSpec) => AttemptSpec = (spec) => spec,
): AttemptExtension {
  let task: AgentTask | undefined;
  let spent = { costUsd: 0, tokens: 0 };
  const { job, slot } = c;
  return {
    async prepare(spec) {
      task = await startTask(
        { id: job.task.id, number: job.task.number, worker: `w${slot}`, attempt: job.attempt, ...(job.task.text !== null ? { prompt: job.task.text } : {}) },
        {
          emit: c.emit,
          write: (data) => c.attempt().write(data),
          fail: () => c.attempt().stop('awaiting_input', 'SIGTERM', c.graceMs),
          held: () => c.attempt().held,
        },
      );
      return resumed(task.cwd ? c.specAt(task.cwd) : spec);
    },
    text: (text) => {
      if (!task) return;
      task.onText(text);
      const usage = task.usage;
      if (usage.costUsd !== spent.costUsd || usage.tokens !== spent.tokens) c.spent((spent = usage));
    },
    idle: (tail) => (task ? task.onIdle(tail).action !== 'none' : false),
    async end(attempt): Promise<ExitExtras> {
      if (!task) return {};
      try {
        return await task.end({ exitCode: attempt.exitCode, signal: attempt.signal, reason: attempt.reason ?? 'exit', durationMs: attempt.durationMs });
      } catch (err) {
        // Its outcome stands; what could not be finished (a git or disk failure) is said on worker_exited.
        return { error: `finishing its agent task: ${(err as Error).message}` };
      }
    },
  };
}
