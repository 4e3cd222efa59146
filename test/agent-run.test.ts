// Issue 8's pieces together, the way relay fanout will drive them: tasks of the built-in agent
// (event mode) in real terminals, each in its own worktree, one asking a question that the
// policy answers, with a results folder.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pty from 'node-pty';
import { describe, expect, it } from 'vitest';
import { AgentExtension, type TaskExtras } from '../src/agents/extension.js';
import type { Manifest } from '../src/agents/results.js';
import type { AgentEvent, FrameBody } from '../src/frames/types.js';
import { ROOT } from './helpers/cli.js';
import { git, makeRepo, tmp } from './helpers/temp.js';

const AGENT = join(ROOT, 'dist/sim/main.js');

/** One task's worker: writes the prompt into task.txt in its cwd, then runs the agent (--hang: alive while read). */
function startWorker(cwd: string, prompt: string, seed: number, ask: boolean, onData: (d: string) => void): { term: pty.IPty; done: Promise<void> } {
  const script = `printf '%s\\n' "$1" > task.txt; shift; exec "$@"`;
  const args = [AGENT, '--events', '--hang', '--duration', '0', '--tools', '2', '--seed', String(seed), '--prompt', prompt, ...(ask ? ['--ask'] : [])];
  const term = pty.spawn('/bin/sh', ['-c', script, 'sh', prompt, process.execPath, ...args], { cwd, cols: 100, rows: 30, env: { ...process.env, NO_COLOR: '1' } as Record<string, string> });
  let seen = '';
  const done = new Promise<void>((resolve) =>
    term.onData((d) => {
      onData(d);
      seen += d;
      if (/"type":"result".*\r\n/.test(seen)) resolve();
    }),
  );
  return { term, done };
}

async function kill(term: pty.IPty): Promise<void> {
  const exited = new Promise<void>((resolve) => term.onExit(() => resolve()));
  term.kill('SIGKILL');
  await exited;
}

describe('an agent run: worktrees, agent events, --on-input and results together', () => {
  it('runs each task in its own worktree, answers the question, reports totals and diff stats, and writes a results folder matching its manifest', async () => {
    const repo = makeRepo();
    const resultsDir = join(tmp('relay-agentrun-results-'), 'out');
    const run = await AgentExtension.open({ runId: 'e2e00001-aaaa', cwd: repo, events: 'sim', onInput: { policy: 'answer', text: 'yes' }, worktree: true, resultsDir });
    const frames: FrameBody[] = [];
    const failures: string[] = [];
    const tasks = [
      { id: 'alpha', prompt: 'write alpha', ask: false },
      { id: 'beta', prompt: 'write beta', ask: true },
      { id: 'gamma', prompt: 'write gamma', ask: false },
    ];
    const extras: TaskExtras[] = await Promise.all(
      tasks.map(async (t, i) => {
        const worker = `w${i + 1}`;
        let term: pty.IPty | undefined;
        const task = await run.startTask({ id: t.id, number: i + 1, worker, prompt: t.prompt }, {
          emit: (b) => frames.push(b),
          write: (d) => term!.write(d),
          fail: (reason) => failures.push(reason),
        });
        expect(task.cwd).toBeDefined();
        const w = startWorker(task.cwd!, t.prompt, i + 1, t.ask, (d) => task.onText(d));
        term = w.term;
        await w.done;
        expect(readFileSync(join(task.cwd!, 'task.txt'), 'utf8')).toBe(`${t.prompt}\n`);
        await kill(w.term);
        return task.end({ exitCode: 0, signal: null, reason: 'exit', durationMs: 10 });
      }),
    );
    expect(failures).toEqual([]);

    // worker_exited extras: a diff stat of exactly the one new file, worktree removed.
    for (const e of extras) {
      expect(e.worktree).toMatchObject({ files_changed: 1, insertions: 1, deletions: 0, kept: false });
      expect(existsSync(e.worktree!.path)).toBe(false);
      expect(e.agent!.events.result).toBe(1);
    }
    expect(extras[1]!.agent!.events.awaiting_input).toBe(1);
    const asked = frames.filter((f): f is FrameBody<AgentEvent> => f.type === 'agent_event' && f.kind === 'awaiting_input');
    expect(asked).toEqual([expect.objectContaining({ worker: 'w2', text: 'Proceed with the change?', action: 'answer' })]);

    // run_finished totals: the sum of the tasks'.
    const total = run.totals()!;
    expect(total.events.result).toBe(3);
    expect(total.tokens.output).toBe(extras.reduce((n, e) => n + e.agent!.tokens.output, 0));

    await run.close({ ok: true, exitCode: 0, reason: 'completed' });
    const manifest = JSON.parse(readFileSync(join(resultsDir, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.complete).toBe(true);
    expect(manifest.tasks.map((t) => t.folder)).toEqual(['001-alpha', '002-beta', '003-gamma']);
    for (const [i, t] of manifest.tasks.entries()) {
      expect(Object.keys(t.files).sort()).toEqual(['diff', 'events', 'result', 'screen', 'transcript', 'transcript_text']);
      expect(readFileSync(join(resultsDir, t.files.diff!), 'utf8')).toContain(`+${tasks[i]!.prompt}`);
      expect(readFileSync(join(resultsDir, t.files.result!), 'utf8')).toMatch(/Done: 2 tool calls\.$/);
      expect(t.worktree).toEqual(extras[i]!.worktree);
    }
    expect(readFileSync(join(resultsDir, manifest.tasks[1]!.files.transcript_text), 'utf8')).toContain('User answered: yes');
    expect(git(repo, 'branch', '--format=%(refname:short)').trim()).toBe('main');
    expect(git(repo, 'worktree', 'list').trim().split('\n')).toHaveLength(1);
  });

  it('removes every worktree on abort (Ctrl-C) while tasks are still running', async () => {
    const repo = makeRepo();
    const run = await AgentExtension.open({ runId: 'e2e00002-bbbb', cwd: repo, events: 'sim', worktree: true });
    const io = { emit: () => {}, write: () => {}, fail: () => {} };
    const a = await run.startTask({ id: 'a', number: 1, worker: 'w1' }, io);
    const b = await run.startTask({ id: 'b', number: 2, worker: 'w2' }, io);
    expect([a.cwd, b.cwd].every((d) => existsSync(d!))).toBe(true);
    await run.abort();
    await run.abort();
    expect([a.cwd, b.cwd].some((d) => existsSync(d!))).toBe(false);
    expect(git(repo, 'branch', '--format=%(refname:short)').trim()).toBe('main');
  });
});
