// Agent-aware fanout (issue 8) through the built CLI: presets, agent_event frames and totals,
// --on-input, a worktree per task (also after Ctrl-C), the results folder. Real terminals, real
// git, the built-in agent's event mode.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentExtension } from '../src/agents/extension.js';
import { createEventParser } from '../src/agents/events/parser.js';
import { fanout } from '../src/fanout/run.js';
import { frameWeight } from '../src/fanout/queue.js';
import { emptyTotals, sumTotals } from '../src/agents/events/totals.js';
import type { Manifest } from '../src/agents/results.js';
import type { AgentEvent, Frame, RunFinished, WorkerExited } from '../src/frames/types.js';
import { exited, parseFrames, relayAsync, spawnRelay, waitForOutput } from './helpers/cli.js';
import { branches, git, makeRepo, tmp, worktreePaths } from './helpers/temp.js';
import { ofType } from './helpers/frames.js';


function tasksFile(lines: string[], dir = tmp('relay-agents-')): string {
  const file = join(dir, 'tasks.txt');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

const finished = (frames: Frame[]): RunFinished => frames.at(-1) as RunFinished;
const withoutStamp = ({ v: _v, seq: _seq, ts: _ts, ...body }: Frame): Record<string, unknown> => body;
const transcript = (frames: Frame[], task: number): string =>
  ofType(frames, 'worker_stream').filter((f) => f.task === task).map((f) => f.data).join('');

describe('relay fanout --agent', () => {
  it('sim: agent_event frames are exactly the normalised events of each worker\'s stream, with task fields, right after the stream frame that completed them; totals add up', async () => {
    const file = tasksFile(['fix the cache', 'add a test', 'write docs']);
    const r = await relayAsync(['fanout', '--agent', 'sim', '--tasks', file, '-w', '2', '--progress', 'none', '--', '--seed', '7', '--duration', '300ms']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const frames = parseFrames(r.stdout);
    expect(frames[0]).toMatchObject({ type: 'run_started', command: expect.arrayContaining(['--events', '--seed', '7', '--prompt={}']) });
    const exits = ofType(frames, 'worker_exited');
    expect(exits).toHaveLength(3);
    for (const task of [1, 2, 3]) {
      // What relay should have found in this task's output, parsed independently of the run.
      const parser = createEventParser('sim');
      const expected = [...parser.push(transcript(frames, task)), ...parser.end()];
      const got = ofType(frames, 'agent_event').filter((f) => f.task === task);
      const worker = got[0]!.worker;
      expect(got.map(withoutStamp)).toEqual(expected.map((e) => ({ type: 'agent_event', worker, task, task_id: String(task), attempt: 1, ...e })));
      expect(new Set(got.map((e) => e.kind))).toEqual(new Set(['session', 'message', 'tool_use', 'tool_result', 'result']));
      expect(got.at(-1)).toMatchObject({ kind: 'result', tokens: { input: expect.any(Number) }, cost_usd: expect.any(Number) });
      // Each event follows a stream frame of its task whose text completed the event's line.
      for (const e of got) {
        const before = frames.slice(0, frames.indexOf(e)).filter((f) => f.type === 'worker_stream' && f.task === task);
        expect(before.map((f) => (f as { data: string }).data).join('')).toContain(JSON.stringify(e.raw));
      }
      const exit = exits.find((f) => f.task === task)!;
      const totals = emptyTotals();
      const counts = totals.events as Record<string, number>;
      for (const e of got) counts[e.kind] = (counts[e.kind] ?? 0) + 1;
      const session = got.find((e) => e.kind === 'session')!;
      Object.assign(totals, { session_id: session.session_id, model: session.model });
      const result = got.at(-1)!;
      Object.assign(totals.tokens, { cache_read: 0, cache_write: 0, ...result.tokens });
      totals.cost_usd = result.cost_usd!;
      expect(exit.agent).toEqual(totals);
    }
    // A slot takes its next task only after the last one's worker_exited (which waits for the agent's end).
    const open = new Map<string, number>();
    for (const f of frames) {
      if (f.type === 'worker_started') {
        expect(open.has(f.worker)).toBe(false);
        open.set(f.worker, f.task);
      }
      if (f.type === 'worker_stream' || f.type === 'agent_event') expect(open.get(f.worker)).toBe(f.task);
      if (f.type === 'worker_exited') {
        expect(open.get(f.worker)).toBe(f.task);
        open.delete(f.worker);
      }
    }
    expect(finished(frames).agent).toEqual(sumTotals(exits.map((e) => e.agent!)));
    expect(finished(frames).counts).toMatchObject({ total: 3, ok: 3, awaiting_input: 0 });
  });

  it('the same seed gives the same agent_event frames', async () => {
    const run = async (): Promise<unknown[]> => {
      const r = await relayAsync(['fanout', '--agent', 'sim', '--task', 'one', '--progress', 'none', '--', '--seed', '3', '--duration', '300ms']);
      expect(r.status).toBe(0);
      return ofType(parseFrames(r.stdout), 'agent_event').map(withoutStamp);
    };
    const first = await run();
    expect(first.length).toBeGreaterThan(3);
    expect(await run()).toEqual(first);
  });

  it('a preset whose program is not installed: one line naming it, exit 2, nothing on stdout', async () => {
    const r = await relayAsync(['fanout', '--agent', 'claude', '--task', 'x'], { env: { PATH: tmp() } });
    expect(r).toMatchObject({ status: 2, stdout: '' });
    expect(r.stderr).toBe('relay: --agent: "claude" is not installed (not found on PATH)\n');
  });

  it('an unknown preset, and --agent without a task list: one line each, exit 2, nothing on stdout', async () => {
    const unknown = await relayAsync(['fanout', '--agent', 'nope', '--task', 'x']);
    expect(unknown).toMatchObject({ status: 2, stdout: '' });
    expect(unknown.stderr).toMatch(/^relay: --agent: unknown agent "nope" \(known: aider, claude, codex, gemini, sim\)\n$/);
    const noTasks = await relayAsync(['fanout', '--agent', 'sim']);
    expect(noTasks).toMatchObject({ status: 2, stdout: '' });
    expect(noTasks.stderr).toBe('relay: --agent sim: needs a task list (--tasks or --task): each task is the agent\'s prompt\n');
    const badPolicy = await relayAsync(['fanout', '--agent', 'sim', '--task', 'x', '--on-input', 'maybe']);
    expect(badPolicy).toMatchObject({ status: 2, stdout: '', stderr: 'relay: --on-input: expected fail, wait or answer:TEXT, got "maybe"\n' });
  });

  it('the summary on stderr adds the agents\' totals', async () => {
    const r = await relayAsync(['fanout', '--agent', 'sim', '--task', 'a', '--task', 'b', '--progress', 'plain', '--', '--duration', '300ms']);
    expect(r.status).toBe(0);
    const end = finished(parseFrames(r.stdout)).agent!;
    const t = end.tokens;
    expect(r.stderr).toContain(`relay: agents: 2 results; tokens ${t.input} in, ${t.output} out (${t.cache_read + t.cache_write} cached); $${end.cost_usd.toFixed(4)}\n`);
  });

  it('relay.config.json: a bad key is one line naming it (exit 2, nothing on stdout); its presets and defaults apply, flags win', async () => {
    const bad = tmp();
    writeFileSync(join(bad, 'relay.config.json'), JSON.stringify({ defaults: { wrokers: 3 } }));
    const r = await relayAsync(['fanout', '--task', 'x', '--', 'true'], { cwd: bad });
    expect(r).toMatchObject({ status: 2, stdout: '', stderr: 'relay: relay.config.json: defaults.wrokers: unknown key\n' });

    const dir = tmp();
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', relay: { presets: { echo: { command: ['sh', '-c', 'echo "echo: $1"', '_', '{}'] } }, defaults: { agent: 'echo', workers: 1 } } }));
    const ran = await relayAsync(['fanout', '--task', 'a', '--task', 'b', '--progress', 'none'], { cwd: dir });
    expect(ran.status).toBe(0);
    const frames = parseFrames(ran.stdout);
    expect(frames[0]).toMatchObject({ workers: 1, command: ['sh', '-c', 'echo "echo: $1"', '_', '{}'] });
    expect(transcript(frames, 2)).toBe('echo: b\r\n');
    const flagged = await relayAsync(['fanout', '--task', 'a', '--task', 'b', '-w', '2', '--agent', 'sim', '--progress', 'none', '--', '--duration', '300ms'], { cwd: dir });
    expect(flagged.status).toBe(0);
    expect(parseFrames(flagged.stdout)[0]).toMatchObject({ workers: 2, command: expect.arrayContaining(['--events']) });
  });

  it('with neither --agent nor a command, the plain simulated agent runs as before: no agent frames or fields', async () => {
    const r = await relayAsync(['fanout', '-w', '2', '--progress', 'none', '--', process.execPath, 'dist/sim/main.js', '--duration', '300ms']);
    const plain = await relayAsync(['fanout', '-w', '2', '--progress', 'none']);
    for (const run of [r, plain]) {
      expect(run.status).toBe(0);
      const frames = parseFrames(run.stdout);
      expect(ofType(frames, 'agent_event')).toEqual([]);
      expect(ofType(frames, 'worker_exited').every((f) => !('agent' in f) && !('worktree' in f))).toBe(true);
      expect(finished(frames)).not.toHaveProperty('agent');
    }
  });
});

describe('relay fanout --on-input', () => {
  const ask = (policy: string[], timeout = 60_000) =>
    relayAsync(['fanout', '--agent', 'sim', '--task', 'fix it', '--progress', 'none', ...policy, '--', '--ask', '--seed', '3', '--duration', '300ms'], { timeout });
  const asked = (frames: Frame[]): AgentEvent[] => ofType(frames, 'agent_event').filter((f) => f.kind === 'awaiting_input');

  it('fail (the default): the asking agent is stopped, reason awaiting_input, counted and listed as failed', async () => {
    for (const policy of [[], ['--on-input', 'fail']]) {
      const r = await ask(policy);
      expect(r.status).toBe(1);
      const frames = parseFrames(r.stdout);
      expect(asked(frames)).toEqual([expect.objectContaining({ text: 'Proceed with the change?', tool: 'AskUserQuestion', action: 'fail', task: 1, attempt: 1 })]);
      const exit = ofType(frames, 'worker_exited')[0]!;
      expect(exit).toMatchObject({ reason: 'awaiting_input', agent: { events: { awaiting_input: 1, result: 0 } } });
      expect(finished(frames)).toMatchObject({ ok: false, exit_code: 1, counts: { awaiting_input: 1, failed: 0 }, failed_tasks: [{ task: 1, reason: 'awaiting_input' }] });
    }
  });

  it('answer:TEXT: the answer is typed into its terminal, the agent continues and exits 0', async () => {
    const r = await ask(['--on-input', 'answer:yes, go ahead']);
    expect(r.status).toBe(0);
    const frames = parseFrames(r.stdout);
    expect(asked(frames)).toEqual([expect.objectContaining({ action: 'answer' })]);
    expect(transcript(frames, 1)).toContain('User answered: yes, go ahead');
    expect(ofType(frames, 'worker_exited')[0]).toMatchObject({ reason: 'exit', exit_code: 0, agent: { events: { awaiting_input: 1, result: 1 } } });
  });

  it('wait: the agent is left waiting, until --timeout stops it', async () => {
    const r = await ask(['--on-input', 'wait', '--timeout', '3s']);
    expect(r.status).toBe(1);
    const frames = parseFrames(r.stdout);
    expect(asked(frames)).toEqual([expect.objectContaining({ action: 'wait' })]);
    // Nothing after the question but the stop: no tool result, no answer, no result.
    expect(ofType(frames, 'agent_event').at(-1)!.kind).toBe('awaiting_input');
    expect(ofType(frames, 'worker_exited')[0]).toMatchObject({ reason: 'timeout' });
  });

  it('inferred: a plain command idle at a prompt gets an awaiting_input frame (inferred) and is answered', async () => {
    const r = await relayAsync(['fanout', '--task', 'x', '--progress', 'none', '--idle-timeout', '300ms', '--on-input', 'answer:y', '--', 'bash', '-c', 'read -p "Continue? [y/N] " a; echo "got $a"']);
    expect(r.status).toBe(0);
    const frames = parseFrames(r.stdout);
    expect(ofType(frames, 'agent_event').map(withoutStamp)).toEqual([
      { type: 'agent_event', worker: 'w1', task: 1, task_id: '1', attempt: 1, kind: 'awaiting_input', raw: { screen_tail: 'Continue? [y/N] ' }, inferred: true, action: 'answer' },
    ]);
    expect(transcript(frames, 1)).toMatch(/got y\r\n$/);
    expect(ofType(frames, 'worker_exited')[0]).toMatchObject({ reason: 'exit', exit_code: 0, agent: { events: { awaiting_input: 1 } } });
  });
});

describe('relay fanout --worktree', () => {
  it('runs each task in its own worktree (its cwd and git top level), reports its diff stat, and removes it after the run', async () => {
    const repo = makeRepo();
    const file = tasksFile(['one', 'two']);
    const r = await relayAsync(['fanout', '--worktree', '--tasks', file, '--progress', 'none', '--', 'bash', '-c', 'pwd; git rev-parse --show-toplevel; printf "a\\nb\\n" > new-$1.txt; echo changed >> README.md', '_', '{}'], { cwd: repo });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const frames = parseFrames(r.stdout);
    const exits = ofType(frames, 'worker_exited');
    const runId = (frames[0] as { run_id: string }).run_id.slice(0, 8);
    const head = git(repo, 'rev-parse', 'HEAD').trim();
    for (const [task, id] of [[1, 'one'], [2, 'two']] as const) {
      const exit = exits.find((f) => f.task === task)!;
      const path = exit.worktree!.path;
      expect(path).not.toBe(repo);
      expect(transcript(frames, task)).toBe(`${path}\r\n${path}\r\n`);
      expect(exit.worktree).toEqual({ path, branch: `relay/${runId}/${task}`, base: head, files_changed: 2, insertions: 3, deletions: 0, kept: false });
      expect(existsSync(path), `${id} removed`).toBe(false);
    }
    expect(worktreePaths(repo)).toEqual([repo]);
    expect(branches(repo)).toEqual(['main']);
    expect(git(repo, 'status', '--porcelain')).toBe('');
  });

  it('--keep-worktrees leaves them (kept: true)', async () => {
    const repo = makeRepo();
    const r = await relayAsync(['fanout', '--worktree', '--keep-worktrees', '--task', 'k', '--progress', 'none', '--', 'touch', 'made-here-{}'], { cwd: repo });
    expect(r.status).toBe(0);
    const exit = ofType(parseFrames(r.stdout), 'worker_exited')[0]!;
    expect(exit.worktree).toMatchObject({ kept: true, files_changed: 1 });
    expect(existsSync(join(exit.worktree!.path, 'made-here-k'))).toBe(true);
    expect(worktreePaths(repo)).toEqual([repo, exit.worktree!.path]);
    // What its user does with it in the end: remove it, and the run's private folder that holds it.
    git(repo, 'worktree', 'remove', '--force', exit.worktree!.path);
    rmSync(dirname(exit.worktree!.path), { recursive: true });
  });

  it('refuses outside a git repository: one line, exit 2, nothing on stdout', async () => {
    const plain = tmp('relay-agents-nogit-');
    const r = await relayAsync(['fanout', '--worktree', '--task', 'x', '--', 'true'], { cwd: plain });
    expect(r).toMatchObject({ status: 2, stdout: '', stderr: `relay: --worktree: ${plain} is not inside a git repository\n` });
  });

  it('Ctrl-C (SIGINT to relay\'s whole process group, as a terminal sends it) stops the workers and removes every worktree and branch', async () => {
    const repo = makeRepo();
    // Its own process group, like a foreground job: the signal reaches relay and any git it runs.
    const child = spawnRelay(['fanout', '--worktree', '--task', 'a', '--task', 'b', '--task', 'c', '-w', '2', '--progress', 'none', '--grace', '500ms', '--', 'bash', '-c', 'echo "ready in $PWD"; sleep 30'], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await waitForOutput(child.stdout!, /ready in \/[\s\S]*ready in \//); // printed by both workers (argv says $PWD)
    // Both worktrees exist while their workers run.
    expect(worktreePaths(repo)).toHaveLength(3);
    process.kill(-child.pid!, 'SIGINT');
    const { code } = await exited(child);
    expect(code).toBe(130);
    const frames = parseFrames(out);
    expect(ofType(frames, 'worker_exited').map((f) => [f.reason, f.worktree?.kept])).toEqual([['cancelled', false], ['cancelled', false]]);
    expect(finished(frames)).toMatchObject({ reason: 'interrupted', not_started: ['3'] });
    expect(worktreePaths(repo)).toEqual([repo]);
    expect(branches(repo)).toEqual(['main']);
  });
});

describe('relay fanout --worktree, forced', () => {
  it('a second Ctrl-C (workers ignoring SIGTERM) still removes every worktree and branch before relay exits', async () => {
    const repo = makeRepo();
    const child = spawnRelay(['fanout', '--worktree', '--task', 'a', '--task', 'b', '--progress', 'plain', '--grace', '30s', '--', 'bash', '-c', 'trap "" TERM; echo "ready in $PWD"; sleep 30'], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout!.resume();
    await waitForOutput(child.stdout!, /ready in \/[\s\S]*ready in \//);
    const stopping = waitForOutput(child.stderr!, /SIGINT: stopping workers/);
    process.kill(-child.pid!, 'SIGINT');
    await stopping;
    process.kill(-child.pid!, 'SIGINT');
    const { code } = await exited(child);
    expect(code).toBe(130);
    expect(worktreePaths(repo)).toEqual([repo]);
    expect(branches(repo)).toEqual(['main']);
  });
});

describe('relay fanout --results', () => {
  it('writes a folder per task whose files match manifest.json and the frames', async () => {
    const repo = makeRepo();
    const dir = join(tmp(), 'results');
    const file = tasksFile(['fix the cache', 'add a test']);
    const r = await relayAsync(['fanout', '--agent', 'sim', '--worktree', '--results', dir, '--tasks', file, '--progress', 'none', '--', '--seed', '5', '--duration', '300ms'], { cwd: repo });
    expect(r.status).toBe(0);
    const frames = parseFrames(r.stdout);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest).toMatchObject({ version: 1, run_id: (frames[0] as { run_id: string }).run_id, complete: true, run: { ok: true, exit_code: 0, reason: 'completed' } });
    expect(manifest.tasks.map((t) => [t.number, t.id, t.prompt, t.folder])).toEqual([[1, '1', 'fix the cache', '001-1'], [2, '2', 'add a test', '002-2']]);
    // Exactly the files it lists, and nothing else.
    const listed = manifest.tasks.flatMap((t) => Object.values(t.files)).sort();
    const onDisk = readdirSync(dir).filter((f) => f !== 'manifest.json').flatMap((d) => readdirSync(join(dir, d)).map((f) => `${d}/${f}`)).sort();
    expect(onDisk).toEqual(listed);
    for (const t of manifest.tasks) {
      const exit = ofType(frames, 'worker_exited').find((f) => f.task === t.number) as WorkerExited;
      expect(t).toMatchObject({ worker: exit.worker, exit_code: 0, reason: 'exit', agent: exit.agent, worktree: exit.worktree });
      const read = (name: keyof typeof t.files): string => readFileSync(join(dir, t.files[name]!), 'utf8');
      expect(read('transcript')).toBe(transcript(frames, t.number));
      const events = ofType(frames, 'agent_event').filter((f) => f.task === t.number);
      expect(read('events').trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual(events.map(withoutStamp));
      expect(read('result')).toBe(events.at(-1)!.text);
      expect(read('diff')).toBe(''); // the simulated agent changes no file
      // The final screen, as a terminal shows it: its last line is the result event's line.
      const screen = read('screen').trimEnd().split('\n');
      expect(screen.length).toBeLessThanOrEqual(40);
      expect(screen.every((l) => l.length <= 120)).toBe(true);
      expect(screen.join('')).toContain('"type":"result"');
    }
  });

  it('an unusable results folder is one line, exit 2, nothing on stdout', async () => {
    const parent = tmp();
    writeFileSync(join(parent, 'file'), '');
    const r = await relayAsync(['fanout', '--results', join(parent, 'file'), '--task', 'x', '--', 'true']);
    expect(r).toMatchObject({ status: 2, stdout: '', stderr: `relay: --results: ${join(parent, 'file')}: not a directory\n` });
  });
});

describe('the engine with an AgentExtension', () => {
  it('a worktree that cannot be made is that attempt\'s spawn_error, and the slot runs the next task', async () => {
    const repo = makeRepo();
    const agent = await AgentExtension.open({ runId: 'broken-run', cwd: repo, events: 'none', worktree: true });
    rmSync(join(repo, '.git'), { recursive: true }); // git worktree add now fails
    const run = fanout({ extension: agent, runId: 'broken-run', cwd: repo, tasks: ['a', 'b'], workers: 1, command: ['true'] });
    const frames: Frame[] = [];
    for await (const f of run) frames.push(f);
    await agent.close({ ok: false, exitCode: 1, reason: 'completed' });
    const exits = ofType(frames, 'worker_exited');
    expect(exits.map((f) => [f.task, f.reason, f.exit_code])).toEqual([[1, 'spawn_error', 126], [2, 'spawn_error', 126]]);
    expect(exits[0]!.error).toMatch(/^git worktree: /);
    expect(ofType(frames, 'worker_started').map((f) => f.pid)).toEqual([null, null]);
  });

  it('counts an agent_event\'s raw event in its queue weight (a tool result can hold a whole file)', () => {
    const big = 'x'.repeat(100_000);
    const body = { v: 1, seq: 1, ts: 0, type: 'agent_event', worker: 'w1', task: 1, task_id: '1', attempt: 1, kind: 'tool_result', raw: { content: big } } as const;
    expect(frameWeight(body as Frame)).toBeGreaterThan(100_000);
  });
});
