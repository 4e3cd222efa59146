// Everything agent-aware runs add to one fanout, behind one RunExtension (src/fanout/extension.ts)
// that the engine calls at a handful of points (see docs/agents.md, "Wiring"):
//   open()      before any worker starts: checks the repository (--worktree) and makes the
//               results folder (--results); usage errors surface here;
//   startTask() before a task's worker starts: makes its worktree (the worker's cwd);
//   task.onText() / task.onIdle() while it runs: agent events, --on-input, transcript;
//   task.end()  after its output ended, before worker_exited: totals, diff stat, results files;
//   totals()    for run_finished;  close() at the end;  abort() on Ctrl-C (idempotent cleanup).
import type { AttemptExtension, AttemptExtensionContext, AttemptSpec, RunExtension } from '../fanout/extension.js';
import type { AgentTotals, WorktreeInfo } from '../frames/agent.js';
import type { AgentEvent, FrameBody } from '../frames/types.js';
import { isEmpty, sumTotals } from './events/totals.js';
import { isLimitText, resetFromText } from './events/limits.js';
import type { EventFormat } from './events/types.js';
import type { InputAction, OnInputPolicy } from './on-input.js';
import { ResultsWriter, type ScreenFactory, type TaskRecorder } from './results.js';
import { AgentSession } from './session.js';
import { agentAttemptHooks } from './attempt.js';
import { resumeArgv, type ResumeTemplate } from './presets.js';
import { Worktrees, type Worktree } from './worktree.js';

export interface AgentExtensionOptions {
  runId: string;
  /** The run's working directory (the repository, with worktree). */
  cwd: string;
  /** Event stream format of the agent (its preset's). */
  events: EventFormat;
  onInput?: OnInputPolicy;
  /** --worktree */
  worktree?: boolean;
  /** --keep-worktrees */
  keepWorktrees?: boolean;
  /** --results DIR */
  resultsDir?: string;
  cols?: number;
  rows?: number;
  /** --resume-session: a retry continues the session its previous attempt reported, with this command. */
  resume?: ResumeTemplate;
  /** Loads the terminal for the results folder's screen.txt (only with resultsDir); default: plainScreenSink. */
  screens?: () => Promise<ScreenFactory>;
}

export interface TaskInfo {
  id: string;
  number: number;
  worker: string;
  attempt?: number;
  prompt?: string;
}

/** What a task's agent needs from the fanout. */
export interface TaskIo {
  /** Queue a frame (agent_event) in the run's stream. */
  emit(body: FrameBody): void;
  /** Type into the worker's terminal. */
  write(data: string): void;
  /** Stop the worker; its task failed for `reason`. */
  fail(reason: string): void;
  /** True while a person has the worker's keyboard (relay attach): --on-input holds off. */
  held?(): boolean;
}

export interface TaskEnd {
  exitCode: number | null;
  signal: string | null;
  reason: string;
  durationMs: number;
}

/** Fields for the task's worker_exited frame. */
export interface TaskExtras {
  agent?: AgentTotals;
  worktree?: WorktreeInfo;
  /** The agent said it failed: the attempt's reason becomes agent_error, with its text as error. */
  reason?: 'agent_error';
  error?: string;
  /** It failed on a rate or usage limit (resetsAt: ms since the epoch, when the agent said). */
  rateLimit?: { resetsAt?: number };
}

/** The agent side of one fanout run: given to fanout() as its `extension`. */
export class AgentExtension implements RunExtension {
  private readonly ended: AgentTotals[] = [];
  /** Per task id, the session id its latest attempt reported (for --resume-session). */
  private readonly sessions = new Map<string, string>();

  private constructor(
    private readonly o: AgentExtensionOptions,
    private readonly worktrees: Worktrees | undefined,
    private readonly results: ResultsWriter | undefined,
  ) {}

  static async open(o: AgentExtensionOptions): Promise<AgentExtension> {
    const worktrees = o.worktree ? await Worktrees.open(o.cwd, o.runId) : undefined;
    const results = o.resultsDir
      ? ResultsWriter.open({ dir: o.resultsDir, runId: o.runId, ...(o.cols ? { cols: o.cols } : {}), ...(o.rows ? { rows: o.rows } : {}), ...(o.screens ? { screen: await o.screens() } : {}) })
      : undefined;
    return new AgentExtension(o, worktrees, results);
  }

  /** Prepares a task (its worktree, its transcript); run its worker in `task.cwd` when set. */
  async startTask(info: TaskInfo, io: TaskIo): Promise<AgentTask> {
    const worktree = this.worktrees ? await this.worktrees.create(info.attempt && info.attempt > 1 ? `${info.id}-attempt-${info.attempt}` : info.id) : undefined;
    const recorder = this.results?.task(info);
    return new AgentTask(info, io, this.o, worktree, this.worktrees, recorder, (t) => {
      this.ended.push(t);
      if (t.session_id !== undefined) this.sessions.set(info.id, t.session_id);
    });
  }

  /** The engine's hook for each attempt (src/agents/attempt.ts). */
  attempt(ctx: AttemptExtensionContext): AttemptExtension {
    return agentAttemptHooks(ctx, (info, io) => this.startTask(info, io), (spec) => this.resumed(spec, ctx));
  }

  /**
   * With --resume-session, a retry whose previous attempt reported a session runs its CLI's
   * resume form with that session id; otherwise (first attempt, no session, an id not fit for a
   * command line) the spec as it is.
   */
  private resumed(spec: AttemptSpec, ctx: AttemptExtensionContext): AttemptSpec {
    const { task, attempt } = ctx.job;
    const session = this.sessions.get(task.id);
    if (!this.o.resume || attempt < 2 || session === undefined) return spec;
    const argv = resumeArgv(this.o.resume, session, { number: task.number, id: task.id, text: task.text, slot: ctx.slot });
    return argv ? { ...spec, argv } : spec;
  }

  finished(): { agent?: AgentTotals } {
    const agent = this.totals();
    return agent ? { agent } : {};
  }

  /** Sum of the ended tasks' totals (run_finished.agent); undefined when no agent event was seen. */
  totals(): AgentTotals | undefined {
    const sum = sumTotals(this.ended);
    return isEmpty(sum) ? undefined : sum;
  }

  /**
   * The run ended: completes the manifest, removes what is left of the worktrees. Rejects with
   * OUTPUT_FAILED (exit 74) when part of the results folder could not be written, or with a GIT
   * RelayError when a worktree stays.
   */
  async close(run: { ok: boolean; exitCode: number; reason: string }): Promise<void> {
    try {
      this.results?.close(run);
    } finally {
      await this.worktrees?.cleanup();
    }
  }

  /** Early end (Ctrl-C): removes the worktrees still there. Idempotent; close() may follow. Rejects as close() does. */
  async abort(): Promise<void> {
    await this.worktrees?.cleanup();
  }
}

export class AgentTask {
  private readonly session: AgentSession;
  private readonly keep: boolean;

  constructor(
    readonly info: TaskInfo,
    io: TaskIo,
    o: AgentExtensionOptions,
    readonly worktree: Worktree | undefined,
    private readonly worktrees: Worktrees | undefined,
    private readonly recorder: TaskRecorder | undefined,
    private readonly ended: (totals: AgentTotals) => void,
  ) {
    this.session = new AgentSession({
      source: { worker: info.worker, task: info.number, task_id: info.id, attempt: info.attempt ?? 1 },
      events: o.events,
      ...(o.onInput ? { onInput: o.onInput } : {}),
      emit: (body) => {
        if (body.type === 'agent_event') recorder?.event(body as FrameBody<AgentEvent>);
        io.emit(body);
      },
      write: io.write,
      fail: io.fail,
      ...(io.held ? { held: io.held } : {}),
    });
    this.keep = o.keepWorktrees ?? false;
  }

  /** The worker's working directory: its worktree, when it has one. */
  get cwd(): string | undefined {
    return this.worktree?.path;
  }

  /** Why --on-input failed it, if it did. */
  get failedBecause(): string | undefined {
    return this.session.failedBecause;
  }

  /** What it has spent so far, for the run's budgets: cost, and input + output tokens (cache reads and writes not counted). */
  get usage(): { costUsd: number; tokens: number } {
    const t = this.session.totals;
    return { costUsd: t.cost_usd, tokens: t.tokens.input + t.tokens.output };
  }

  /** A chunk of its terminal output, right after its worker_stream frame. */
  onText(text: string): void {
    this.recorder?.write(text);
    this.session.onText(text);
  }

  /** It printed nothing for --idle-timeout; `tail` is the end of its output. */
  onIdle(tail: string): InputAction {
    return this.session.onIdle(tail);
  }

  /** Its output ended: returns the extra worker_exited fields. Before worker_exited is emitted. */
  async end(outcome: TaskEnd): Promise<TaskExtras> {
    this.session.end();
    // Judged only when it ended by itself: relay's own stop (timeout, cancel, --on-input) stands.
    const agentError = outcome.reason === 'exit' ? this.session.agentFailure : undefined;
    if (outcome.reason === 'exit') this.session.checkRecognised();
    const verdict = agentError !== undefined ? { reason: 'agent_error' as const, error: agentError } : {};
    const rateLimit = outcome.reason === 'exit' && (agentError !== undefined || outcome.exitCode !== 0) ? this.limitHit(agentError) : undefined;
    const totals = this.session.totals;
    const agent = isEmpty(totals) ? undefined : totals;
    let diff: string | undefined;
    let worktree: WorktreeInfo | undefined;
    if (this.worktree && this.worktrees) {
      if (this.recorder) diff = await this.worktrees.diff(this.worktree);
      worktree = await this.worktrees.finish(this.worktree, this.keep);
    }
    await this.recorder?.finish({
      ...outcome,
      ...(verdict.reason ? { reason: verdict.reason } : {}),
      ...(this.session.resultText !== undefined ? { resultText: this.session.resultText } : {}),
      ...(diff !== undefined ? { diff } : {}),
      ...(agent ? { agent } : {}),
      ...(worktree ? { worktree } : {}),
    });
    this.ended(totals);
    return { ...(agent ? { agent } : {}), ...(worktree ? { worktree } : {}), ...verdict, ...(rateLimit ? { rateLimit } : {}) };
  }

  /** A failed attempt ended on a limit: the agent reported one, or its error text names one (429, "usage limit"). */
  private limitHit(agentError: string | undefined): { resetsAt?: number } | undefined {
    const limit = this.session.limit ?? (isLimitText(agentError) ? { resetsAt: resetFromText(agentError) } : undefined);
    if (!limit) return undefined;
    const at = limit.resetsAt ? Date.parse(limit.resetsAt) : NaN;
    return Number.isFinite(at) ? { resetsAt: at } : {};
  }
}
