import * as Flags from '@oclif/core/flags';
import { splitCommand } from '../cli/argv.js';
import { DEFAULTS } from '../fanout/options.js';
import { duration, positiveDuration, shard, shownAs, size } from '../cli/flags.js';
import { RelayCommand } from '../cli/command.js';
import { exitCodesHelp } from '../exit-codes.js';
import { usageError } from '../errors.js';

/** A dollar amount: a positive decimal number, e.g. 2.50. */
function usd(text: string, flag: string): number {
  const n = Number(text.trim().replace(/^\$/, ''));
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) throw usageError(`${flag}: expected a positive amount of US dollars, e.g. 2.50, got "${text}"`);
  return n;
}

export default class Fanout extends RelayCommand {
  static override summary = 'Run tasks (or N copies of a command) on N workers, each in its own pseudo-terminal: frames on stdout, progress on stderr.';

  static override description = `Runs COMMAND (everything after "--") in pseudo-terminals
(TERM=xterm-256color, --cols × --rows, cwd and environment inherited), at
most --workers at a time. Without COMMAND, the built-in simulated agent
runs.

TASKS. With --tasks FILE (one task per line, "-" for stdin; blank lines
skipped) or repeated --task TEXT, each task runs once on a free worker slot;
--workers is the concurrency. A line that starts with "{" is a JSON object
{"id": "...", "prompt": "...", "cwd": "...", "env": {...}}; ids must be
unique. Without a task list there is one task per worker. Placeholders in
COMMAND's arguments (GNU parallel's): {} the task text, {#} the task number,
{id} the task id, {%} the worker slot number. Without any placeholder the
task text is appended as the last argument. Task text is never code: inside
a shell script (sh -c, bash -c…) {} and {id} are shell-quoted for where they
stand ('…', "…" or bare); where that cannot be made safe (backticks, \${…},
comments, here-documents, python -c, node -e, fish -c…) the command is
refused (exit 2); {raw} and {raw:id} paste the value as it is. Best: pass it
as an argument ("$1") or read "$RELAY_TASK". Every worker gets RELAY_TASK,
RELAY_TASK_ID, RELAY_ATTEMPT (1, 2… on retries), RELAY_WORKER (e.g. w3) and
RELAY_WORKER_INDEX in its environment.

POLICIES. Every task runs and relay exits 1 if any failed (after its
retries). --fail-fast stops the rest after the first failure, --max-failures
N after N: running tasks end with reason "cancelled", tasks never started
are listed in run_finished's not_started. --timeout stops a task's attempt
(SIGTERM to its process group, SIGKILL after --grace; reason "timeout").
--idle-timeout reports a worker silent that long (a worker_idle frame); with
--kill-idle it is stopped (reason "idle"). --retries N re-runs a failed
attempt (exit ≠ 0, signal, timeout, idle) up to N times, after
--retry-delay, doubling each time. --input TEXT is typed into every worker's
terminal (then Enter) once it has started; --input-file FILE is typed as is.
A DURATION is 500ms, 90s, 10m or 2h; a bare number is seconds (--timeout
10 is ten seconds, as in timeout(1)); at most 596h (what a timer holds).

A terminal has no end of file of its own: --input-eof types ^D after the
input, which a program reading its stdin in the terminal's default line mode
(cat, wc, a prompt read to EOF) takes as the end of its input.

BUDGETS. With an agent, --max-cost USD and --max-tokens N cap the whole
run (every attempt, retries included) from the agents' own totals (tokens:
input + output): once reached, no more tasks start and the running ones are
stopped (reason "budget"; run_finished reason "budget", exit 1).
--task-max-cost and --task-max-tokens cap each attempt: it is stopped
(reason "budget") and not retried. An agent that reports no cost (Codex,
Gemini) never reaches a cost budget.

RATE LIMITS. With an agent, an attempt that fails on a rate or usage limit
(its agent reports one, or its error names a 429 or a usage limit) is not a
failure: it runs again without spending --retries, nothing starts before
the limit resets (the time the agent gave, else --retry-delay doubling per
limit in a row), and fewer attempts run at once (halved, at least 1; one
more after each success). run_paused / run_resumed frames record it.
--stagger spaces launches out.

TERMINAL. Each worker's terminal answers the queries a program sends it, as
xterm does: cursor position (ESC[6n, ESC[?6n), device attributes (ESC[c,
ESC[>c), status (ESC[5n), colours (OSC 10/11/12 ?: white on black), the kitty
keyboard protocol (ESC[?u: none), size in characters (ESC[18t, ESC[19t),
XTVERSION and DECRQM (mode "not recognised"). TUIs that ask at start-up
(crossterm/ratatui) would otherwise wait, some of them for ever.

SHARDS. --shard K/N runs only tasks K, K+N, K+2N… of the list (task numbers
stay those of the full list), so N CI jobs cover it exactly once; "relay
merge" joins their frame files.

AGENTS. --agent NAME runs an agent CLI headless on each task of the task
list, the task as its prompt: claude (claude -p, stream-json), codex (codex
exec --json), gemini (gemini --prompt, stream-json), aider (aider --message), sim
(relay's simulated agent, Claude-style events), or a preset defined in
relay.config.json (or package.json's "relay" key, which also sets defaults
for these flags; flags win). Arguments after "--" go before the prompt,
which comes last, after "--" or as --option=TEXT, so a task that starts with
"-" is never read as a flag. Its JSON
events become agent_event frames (kind: message, tool_use, tool_result,
awaiting_input, result, error, rate_limit, session, unknown), with totals
(events, tokens, cost) in worker_exited.agent and run_finished.agent. An
attempt whose agent says it failed ends with reason "agent_error", whatever
its exit code. A preset whose program is not on PATH stops relay at once
(exit 2). --on-input decides what happens when an agent waits for input (it
asks, or it is silent for --idle-timeout at a prompt): fail (default:
stopped, reason "awaiting_input"), wait, or answer:TEXT (TEXT and Enter are
typed). --worktree runs every task in its own git worktree and branch
(relay/<run>/<task>) of the current repository, reports its diff stat in
worker_exited.worktree and removes it afterwards (also on Ctrl-C) unless
--keep-worktrees. Worktrees live in a private folder of the run (mkdtemp,
mode 0700); a task's cwd must stay inside its worktree. --resume-session
makes a retry of a claude or codex task continue the session its previous
attempt reported (claude -p --resume ID, codex exec resume ID); a resumed
session continues the conversation, so it may replay or skip work. When
relay.config.json is used, stderr names it and what it changes; --no-config
(or RELAY_NO_CONFIG=1) ignores it. --results DIR writes per task the
transcript, final screen, result text, diff and events, and manifest.json,
as output arrives; a file that could not be written is named in the
manifest and fails the run (exit 74). See docs/agents.md.

Worker output shown on stderr (rows, lines, summaries, GitHub groups, the
step summary) carries no control sequence; the frames keep the bytes.

LINES. --lines adds worker_line frames: each line of a worker's output as
its terminal finally showed it (ANSI stripped, spinner redraws resolved);
--no-stream drops the raw worker_stream frames (and implies --lines).

stdout carries NDJSON frames only (run_started, worker_started,
worker_stream, worker_line, agent_event, worker_idle, worker_exited,
run_finished; see
docs/frames.md and relay schema), written through an awaited writer: when
the reader falls behind, the workers' terminals are paused, so memory stays
bounded and nothing is lost. When stdout is a terminal, frames are not
shown unless --output - is given. stderr shows live progress (a row per
worker slot) on a terminal, plain lines otherwise or when CI is set, and a
summary at the end: tasks by outcome, the failed ones, the slowest. In
GitHub Actions, plain progress puts each worker's report and last lines in
a ::group:: block, and when GITHUB_STEP_SUMMARY is set the run's summary
table (relay summary --format markdown) is appended to that file.

Exit codes:
${exitCodesHelp()}`;

  static override examples = [
    {
      description: 'Nine simulated agents, the final frame only:',
      command: `<%= config.bin %> <%= command.id %> --workers 9 | jq -c 'select(.type=="run_finished")'`,
    },
    {
      description: 'Any command; {#} is the task (here: worker) number:',
      command: `<%= config.bin %> <%= command.id %> --workers 3 -- bash -c 'echo "hello from worker $1"' _ {#}`,
    },
    {
      description: '40 tasks from a file, 9 at a time; each line is appended to the command as its last argument:',
      command: '<%= config.bin %> <%= command.id %> --tasks tasks.txt --workers 9 -- claude -p',
    },
    {
      description: 'Tasks from stdin, placeholders: {} text, {#} number, {id} id, {%} worker slot:',
      command: `<%= config.bin %> <%= command.id %> --tasks - -- sh -c 'echo "task {#} ({id}) on w{%}: $1"' _ {} < tasks.txt`,
    },
    {
      description: 'Stop everything after the first failure; tasks never started are listed:',
      command: `<%= config.bin %> <%= command.id %> --tasks tasks.txt --fail-fast -- ./agent.sh | jq -c 'select(.type=="run_finished") | .not_started'`,
    },
    {
      description: 'At most 10 minutes per task, retried twice (after 5s, then 10s):',
      command: '<%= config.bin %> <%= command.id %> --tasks tasks.txt --timeout 10m --retries 2 --retry-delay 5s -- ./agent.sh',
    },
    {
      description: 'Stop agents that sit silent for 2 minutes (waiting for input), and answer a prompt on start:',
      command: '<%= config.bin %> <%= command.id %> --tasks tasks.txt --idle-timeout 2m --kill-idle --input yes -- ./agent.sh',
    },
    {
      description: 'Feed a file to programs that read their stdin to the end (the terminal gets ^D after it):',
      command: '<%= config.bin %> <%= command.id %> --workers 4 --input-file data.csv --input-eof -- ./count.sh',
    },
    {
      description: 'Shard 2 of 3 in a CI matrix, then merge the shards\' frame files:',
      command: '<%= config.bin %> <%= command.id %> --tasks tasks.txt --shard 2/3 -o shard-2.ndjson -- ./agent.sh && <%= config.bin %> merge shard-*.ndjson > all.ndjson',
    },
    {
      description: 'Claude Code on each task, 9 at a time, each in its own git worktree; results folder for CI:',
      command: '<%= config.bin %> <%= command.id %> --agent claude --tasks todo.txt --workers 9 --worktree --results relay-results',
    },
    {
      description: 'Agent events and token/cost totals, with the built-in simulated agent:',
      command: `<%= config.bin %> <%= command.id %> --agent sim --tasks todo.txt | jq -c 'select(.type=="agent_event" or .type=="run_finished") | {type, kind, agent}'`,
    },
    {
      description: 'An agent that asks a question is answered (default: it is stopped, reason "awaiting_input"):',
      command: '<%= config.bin %> <%= command.id %> --agent sim --tasks todo.txt --on-input answer:yes -- --ask',
    },
    {
      description: 'A plain command waiting at a prompt for 30s is answered; the worktrees are kept for review:',
      command: '<%= config.bin %> <%= command.id %> --tasks todo.txt --idle-timeout 30s --on-input answer:y --worktree --keep-worktrees -- ./agent.sh',
    },
    {
      description: 'Each worker\'s output as text:',
      command: `<%= config.bin %> <%= command.id %> -w 4 | jq -j 'select(.type=="worker_stream") | .data'`,
    },
    {
      description: 'Each worker\'s output as plain lines (no raw frames):',
      command: `<%= config.bin %> <%= command.id %> -w 4 --no-stream | jq -r 'select(.type=="worker_line") | "\\(.worker) \\(.text)"'`,
    },
    {
      description: 'Frames to a file, plain progress lines on stderr:',
      command: '<%= config.bin %> <%= command.id %> -w 2 --output run.ndjson --progress plain -- make test',
    },
  ];

  static override flags = {
    workers: Flags.integer({ char: 'w', min: 1, description: `Worker slots: how many tasks run at once. [default: the number of tasks, at most ${DEFAULTS.maxDefaultWorkers}; ${DEFAULTS.workers} without a task list; never more than the tasks]` }),
    tasks: Flags.string({ char: 't', description: 'Task list: one task per line, or JSON object lines {"id","prompt","cwd","env"}; "-" reads stdin.', helpValue: 'FILE', helpGroup: 'TASKS' }),
    task: Flags.string({ multiple: true, description: 'A task (repeatable); runs after the --tasks lines.', helpValue: 'TEXT', helpGroup: 'TASKS' }),
    shard: shard({ description: 'Run only the K-th of N slices of the task list: tasks K, K+N, K+2N…; auto (or auto/N) takes K and N from GitLab CI, CircleCI, Buildkite or a Kubernetes Indexed Job.', helpValue: 'K/N|auto[/N]', helpGroup: 'TASKS' }),
    'resume-from': Flags.string({ description: 'Run only the tasks that did not succeed in the run whose frames are in FILE (same task list; failed, cancelled, never started). Its run_finished counts the others as skipped.', helpValue: 'FILE', helpGroup: 'TASKS' }),
    notify: Flags.string({ description: 'Run COMMAND (a shell command line) when an agent waits for input, an attempt failed, and the run finished: the frame as JSON on its stdin, RELAY_EVENT, RELAY_TASK_ID, RELAY_REASON… in its environment. Never blocks the run.', helpValue: 'COMMAND' }),
    'fail-fast': Flags.boolean({ description: 'After the first task failed, stop the others and start no more.', exclusive: ['max-failures'], helpGroup: 'POLICIES' }),
    'max-failures': Flags.integer({ min: 1, description: 'After N tasks failed, stop the others and start no more.', helpValue: 'N', helpGroup: 'POLICIES' }),
    'max-cost': Flags.custom<number>({ parse: async (t) => usd(t, '--max-cost') })({ description: 'Budget of the whole run in US dollars, from the agents\' own cost totals: once reached, start no more tasks and stop the running ones (reason "budget").', helpValue: 'USD', helpGroup: 'POLICIES' }),
    'max-tokens': Flags.integer({ min: 1, description: 'Budget of the whole run in tokens (input + output, as the agents report them): once reached, start no more tasks and stop the running ones (reason "budget").', helpValue: 'N', helpGroup: 'POLICIES' }),
    'task-max-cost': Flags.custom<number>({ parse: async (t) => usd(t, '--task-max-cost') })({ description: 'Budget of one attempt in US dollars: an agent whose cost reaches it is stopped (reason "budget", not retried).', helpValue: 'USD', helpGroup: 'POLICIES' }),
    'task-max-tokens': Flags.integer({ min: 1, description: 'Budget of one attempt in tokens (input + output): an agent whose totals reach it is stopped (reason "budget", not retried).', helpValue: 'N', helpGroup: 'POLICIES' }),
    timeout: positiveDuration({ description: 'Stop an attempt still running after DURATION, e.g. 90s, 10m (reason "timeout").', helpValue: 'DURATION', helpGroup: 'POLICIES' }),
    'idle-timeout': positiveDuration({ description: 'Report a worker that printed nothing for DURATION (a worker_idle frame).', helpValue: 'DURATION', helpGroup: 'POLICIES' }),
    'kill-idle': Flags.boolean({ description: 'Also stop an idle worker (reason "idle").', dependsOn: ['idle-timeout'], helpGroup: 'POLICIES' }),
    retries: Flags.integer({ min: 0, default: 0, description: 'Re-run a failed attempt up to N times.', helpValue: 'N', helpGroup: 'POLICIES' }),
    'retry-delay': duration({ default: DEFAULTS.retryDelayMs, defaultHelp: shownAs('1s'), description: 'Back-off before the first retry, doubling for each next one (at most 1m, or DURATION if longer).', helpValue: 'DURATION', helpGroup: 'POLICIES' }),
    stagger: duration({ description: 'Start attempts at least DURATION apart, e.g. 2s (agents started in a burst hit rate limits).', helpValue: 'DURATION', helpGroup: 'POLICIES' }),
    input: Flags.string({ description: 'Typed into every worker\'s terminal once it has started, followed by Enter.', helpValue: 'TEXT', exclusive: ['input-file'], helpGroup: 'POLICIES' }),
    'input-file': Flags.string({ description: 'Typed into every worker\'s terminal once it has started, exactly as it is.', helpValue: 'FILE', helpGroup: 'POLICIES' }),
    'input-eof': Flags.boolean({ description: 'After --input/--input-file (or alone), end the worker\'s input: type ^D, the end of file of a terminal in line mode.', helpGroup: 'POLICIES' }),
    agent: Flags.string({ description: 'Run an agent CLI on each task, with the task as its prompt: claude, codex, gemini, aider, sim (relay\'s simulated agent), or a preset of relay.config.json. Arguments after "--" go before the prompt (which is last, after "--" or as --option=TEXT). Adds agent_event frames.', helpValue: 'NAME', helpGroup: 'AGENTS' }),
    'on-input': Flags.string({ description: 'When an agent waits for input (it asks, or sits idle for --idle-timeout at a prompt): fail (stop it, reason "awaiting_input"), wait, or answer:TEXT (type TEXT and Enter). [default: fail]', helpValue: 'fail|wait|answer:TEXT', helpGroup: 'AGENTS' }),
    worktree: Flags.boolean({ allowNo: true, description: 'Run each task in its own git worktree (branch relay/<run>/<task>) of the current repository; its diff stat goes into worker_exited. Removed afterwards.', helpGroup: 'AGENTS' }),
    'keep-worktrees': Flags.boolean({ description: 'Leave the worktrees in place after the run (their paths are in worker_exited).', helpGroup: 'AGENTS' }),
    'resume-session': Flags.boolean({ description: 'With --agent claude or codex and --retries: a retry continues the session its previous attempt reported (claude -p --resume ID, codex exec resume ID) instead of starting afresh. A resumed session continues the conversation: it may replay or skip work. Other presets ignore it.', helpGroup: 'AGENTS' }),
    'no-config': Flags.boolean({ description: 'Ignore relay.config.json and package.json\'s "relay" key (as RELAY_NO_CONFIG=1 does). When one is used, stderr says which, and which built-in preset or default it changes.', helpGroup: 'AGENTS' }),
    results: Flags.string({ description: 'Write per task its transcript, final screen, result text, diff and events, and a manifest.json, to DIR.', helpValue: 'DIR', helpGroup: 'AGENTS' }),
    cols: Flags.integer({ min: 1, max: DEFAULTS.maxTerminalSize, default: DEFAULTS.cols, description: `Terminal width of every worker (at most ${DEFAULTS.maxTerminalSize}).` }),
    rows: Flags.integer({ min: 1, max: DEFAULTS.maxTerminalSize, default: DEFAULTS.rows, description: `Terminal height of every worker (at most ${DEFAULTS.maxTerminalSize}).` }),
    output: Flags.string({ char: 'o', description: 'Write frames to FILE instead of stdout ("-": stdout, even when it is a terminal).', helpValue: 'FILE' }),
    progress: Flags.option({ options: ['auto', 'tty', 'plain', 'none'] as const, default: 'auto' as const, description: 'Progress on stderr: live rows (tty), plain lines, or none. auto: tty when stderr is a terminal and CI is not set.' })(),
    'failure-lines': Flags.integer({ min: 0, description: 'Plain progress (CI): after a failed task\'s report, the last N lines of its output, as text (0: none). [default: 20]', helpValue: 'N' }),
    tag: Flags.boolean({ description: 'Every line of every worker\'s output on stderr as it comes, after "w3 | " (as GNU parallel --tag); implies plain progress.' }),
    lines: Flags.boolean({ description: 'Also write worker_line frames: each line of output as plain text (ANSI stripped, spinner redraws resolved).', helpGroup: 'LINES' }),
    stream: Flags.boolean({ default: true, allowNo: true, description: 'Write worker_stream frames (raw output for exact replay). --no-stream drops them and implies --lines.', helpGroup: 'LINES' }),
    grace: duration({ default: DEFAULTS.graceMs, defaultHelp: shownAs('3s'), description: 'Time between asking workers to stop (SIGTERM) and SIGKILL, e.g. 500ms, 3s.', helpValue: 'DURATION' }),
    coalesce: duration({ default: DEFAULTS.coalesceMs, defaultHelp: shownAs('20ms'), description: 'Hold a worker\'s output up to DURATION to send consecutive terminal reads as one worker_stream frame (fewer, larger frames; every byte still arrives, in order, before the worker\'s next other frame). 0: a frame per read.', helpValue: 'DURATION', helpGroup: 'BACKPRESSURE' }),
    'high-water-mark': size({ description: 'Frames buffered for a slow reader before the workers are paused, e.g. 1MiB. [default: 1MiB]', helpValue: 'SIZE', helpGroup: 'BACKPRESSURE' }),
    'low-water-mark': size({ description: 'Buffered frames at which paused workers resume. [default: a quarter of the high water mark]', helpValue: 'SIZE', helpGroup: 'BACKPRESSURE' }),
  };

  static override usage = '<%= command.id %> [--workers N] [--tasks FILE | --task TEXT...] [--agent NAME] [FLAGS] [-- COMMAND [ARGS...]]';

  async run(): Promise<void> {
    const split = splitCommand(this.argv);
    const { flags } = await this.parse(Fanout, split.flags);
    // "--" then nothing is a command forgotten, not a request for the simulated agent.
    if (split.command?.length === 0 && !flags.agent) throw usageError('nothing after "--": give the command to run (without "--", the simulated agent runs)');
    const { runFanout } = await import('../cli/run-fanout.js');
    process.exitCode = await runFanout({
      engine: {
        shard: flags.shard,
        maxFailures: flags['fail-fast'] ? 1 : flags['max-failures'],
        maxCostUsd: flags['max-cost'],
        maxTokens: flags['max-tokens'],
        taskMaxCostUsd: flags['task-max-cost'],
        taskMaxTokens: flags['task-max-tokens'],
        timeoutMs: flags.timeout,
        killIdle: flags['kill-idle'],
        retries: flags.retries,
        retryDelayMs: flags['retry-delay'],
        staggerMs: flags.stagger,
        inputEof: flags['input-eof'],
        cols: flags.cols,
        rows: flags.rows,
        graceMs: flags.grace,
        coalesceMs: flags.coalesce,
        lines: flags.lines,
        stream: flags.stream,
      },
      command: split.command,
      workers: flags.workers,
      idleTimeoutMs: flags['idle-timeout'],
      tasksFile: flags.tasks,
      task: flags.task,
      input: flags.input,
      inputFile: flags['input-file'],
      output: flags.output,
      progress: flags.progress,
      failureLines: flags['failure-lines'],
      tag: flags.tag,
      highWaterMark: flags['high-water-mark'],
      lowWaterMark: flags['low-water-mark'],
      agent: flags.agent,
      onInput: flags['on-input'],
      worktree: flags.worktree,
      keepWorktrees: flags['keep-worktrees'],
      resumeSession: flags['resume-session'],
      results: flags.results,
      noConfig: flags['no-config'],
      resumeFrom: flags['resume-from'],
      notify: flags.notify,
    });
  }
}
