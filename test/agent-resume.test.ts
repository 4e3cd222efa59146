// --resume-session: a retry of an agent task continues the session its previous attempt reported.
// A stand-in executable named like the CLI is first on PATH: it records its arguments, prints a
// real recording (test/fixtures/agents, SOURCES.md) and fails its first attempt, so relay retries.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Frame } from '../src/frames/types.js';
import { parseFrames, relayAsync } from './helpers/cli.js';
import { tmp } from './helpers/temp.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/agents/', import.meta.url));
const CLAUDE = join(FIXTURES, 'claude', '1.0-opus4-write-tool.jsonl');
const CLAUDE_SESSION = '4e4fa00e-5e28-405f-a0bd-5f1f7d57511c';
const CODEX = join(FIXTURES, 'codex', '0.142.5-success.jsonl');
const CODEX_THREAD = '019fe041-fb59-77a0-bce2-6d07f49e917c';

/** Its runs' control sockets in a folder of the test's own, removed with it. */
const ownControlDir = (): NodeJS.ProcessEnv => ({ XDG_RUNTIME_DIR: tmp('relay-resume-runtime-') });

interface StandIn {
  bin: string;
  state: string;
  /** Each attempt's argv (without the program), per task id, in order. */
  calls(taskId: string): string[][];
}

/**
 * `program` on PATH: per task ($RELAY_TASK_ID) it appends its arguments to a log; its first
 * attempt prints `first` (or $state/first-<task id>, when there is one) and exits 1, later ones
 * print `later` and exit 0.
 */
function standIn(program: string, first: string, later: string): StandIn {
  const bin = tmp(`relay-resume-${program}-`);
  const state = tmp('relay-resume-state-');
  const script = [
    '#!/bin/sh',
    `s='${state}'; t="$RELAY_TASK_ID"`,
    'for a; do printf "%s\\0" "$a"; done >> "$s/$t.argv"; printf "\\n" >> "$s/$t.argv"',
    `if [ -e "$s/$t.started" ]; then cat '${later}'; exit 0; fi`,
    ': > "$s/$t.started"',
    `if [ -e "$s/first-$t" ]; then cat "$s/first-$t"; else cat '${first}'; fi`,
    'exit 1',
    '',
  ].join('\n');
  writeFileSync(join(bin, program), script);
  chmodSync(join(bin, program), 0o755);
  const calls = (taskId: string): string[][] => {
    const file = join(state, `${taskId}.argv`);
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => l.split('\0').slice(0, -1));
  };
  return { bin, state, calls };
}

async function run(s: StandIn, args: string[]): Promise<{ frames: Frame[]; status: number | null; stderr: string }> {
  const r = await relayAsync(['fanout', '--retries', '1', '--retry-delay', '0', '--progress', 'none', ...args], { env: { PATH: `${s.bin}:${process.env.PATH}`, RELAY_NO_CONFIG: '1', ...ownControlDir() } });
  return { frames: parseFrames(r.stdout), status: r.status, stderr: r.stderr };
}

const started = (frames: Frame[], attempt: number): string[] | undefined => {
  const f = frames.find((x) => x.type === 'worker_started' && x.attempt === attempt);
  return f && f.type === 'worker_started' ? f.argv : undefined;
};

describe('--resume-session', () => {
  it('claude: the retry runs claude -p --resume <the first attempt\'s session id>, the prompt still last', async () => {
    const s = standIn('claude', CLAUDE, CLAUDE);
    const r = await run(s, ['--agent', 'claude', '--resume-session', '--task', 'write the page']);
    expect(r.stderr).toBe('');
    const [first, retry] = s.calls('1');
    expect(first).toEqual(['-p', '--output-format', 'stream-json', '--verbose', '--', 'write the page']);
    expect(retry).toEqual(['-p', '--resume', CLAUDE_SESSION, '--output-format', 'stream-json', '--verbose', '--', 'write the page']);
    // The session id came from the first attempt's session event, which its frames show.
    expect(r.frames.find((f) => f.type === 'agent_event' && f.attempt === 1 && f.kind === 'session')).toMatchObject({ session_id: CLAUDE_SESSION });
    expect(started(r.frames, 2)).toEqual(['claude', ...retry!]);
    expect(r.frames.at(-1)).toMatchObject({ type: 'run_finished', ok: true });
    expect(r.status).toBe(0);
  });

  it('codex: the retry runs codex exec --json [args after "--"] resume -- <thread id> <prompt>', async () => {
    const s = standIn('codex', CODEX, CODEX);
    const r = await run(s, ['--agent', 'codex', '--resume-session', '--task', '-fix the tests', '--', '--skip-git-repo-check']);
    expect(r.stderr).toBe('');
    expect(s.calls('1')).toEqual([
      ['exec', '--json', '--skip-git-repo-check', '--', '-fix the tests'],
      ['exec', '--json', '--skip-git-repo-check', 'resume', '--', CODEX_THREAD, '-fix the tests'],
    ]);
    expect(r.status).toBe(0);
  });

  it('a third attempt resumes the session the second one reported', async () => {
    const s = standIn('claude', CLAUDE, CLAUDE);
    const again = join(s.state, 'again');
    // Every attempt fails: the second prints a session of its own.
    writeFileSync(again, `{"type":"system","subtype":"init","session_id":"second-session"}\n`);
    writeFileSync(join(s.bin, 'claude'), readFileSync(join(s.bin, 'claude'), 'utf8').replace(`cat '${CLAUDE}'; exit 0`, `cat '${again}'; exit 1`));
    const r = await relayAsync(['fanout', '--agent', 'claude', '--resume-session', '--task', 'x', '--retries', '2', '--retry-delay', '0', '--progress', 'none'], { env: { PATH: `${s.bin}:${process.env.PATH}`, RELAY_NO_CONFIG: '1', ...ownControlDir() } });
    expect(s.calls('1').map((argv) => argv.slice(1, 3))).toEqual([['--output-format', 'stream-json'], ['--resume', CLAUDE_SESSION], ['--resume', 'second-session']]);
    expect(r.status).toBe(1);
  });

  it('without it, a retry starts afresh with the same command', async () => {
    const s = standIn('claude', CLAUDE, CLAUDE);
    await run(s, ['--agent', 'claude', '--task', 'write the page']);
    const [first, retry] = s.calls('1');
    expect(retry).toEqual(first);
  });

  it('a first attempt that reported no session, or an id unfit for a command line, is retried afresh', async () => {
    const s = standIn('claude', CLAUDE, CLAUDE);
    // A corpus of session ids an agent (or something pretending to be one) could print.
    const ids = ['', '--dangerously-skip-permissions', '-r', 'a b', 'a\nb', '{}', '{session}', 'x;rm -rf /', '\u001b[2J', 'x'.repeat(201)];
    const tasks = ['no session at all', ...ids.map((_, i) => `task ${i + 2}`)];
    writeFileSync(join(s.state, 'first-1'), '{"type":"assistant","message":{"role":"assistant","content":[{"type":"text","text":"hi"}]}}\n');
    ids.forEach((id, i) => writeFileSync(join(s.state, `first-${i + 2}`), `${JSON.stringify({ type: 'system', subtype: 'init', session_id: id })}\n`));
    const r = await run(s, ['--agent', 'claude', '--resume-session', ...tasks.flatMap((t) => ['--task', t]), '-w', '4']);
    expect(r.stderr).toBe('');
    tasks.forEach((text, i) => {
      const [first, retry] = s.calls(String(i + 1));
      expect(first).toEqual(['-p', '--output-format', 'stream-json', '--verbose', '--', text]);
      expect(retry).toEqual(first);
    });
    expect(r.frames.at(-1)).toMatchObject({ type: 'run_finished', ok: true, counts: { ok: tasks.length } });
  });

  it('the task text is never taken for the session marker', async () => {
    const s = standIn('claude', CLAUDE, CLAUDE);
    await run(s, ['--agent', 'claude', '--resume-session', '--task', '{session}']);
    expect(s.calls('1')[1]).toEqual(['-p', '--resume', CLAUDE_SESSION, '--output-format', 'stream-json', '--verbose', '--', '{session}']);
  });

  it('a preset without a resume form (gemini) ignores it: the retry starts afresh', async () => {
    const gemini = join(FIXTURES, 'gemini', '0.56-tool-use-then-answer.jsonl');
    const s = standIn('gemini', gemini, gemini);
    const r = await run(s, ['--agent', 'gemini', '--resume-session', '--task', 'hello']);
    const [first, retry] = s.calls('1');
    expect(first).toEqual(['--output-format', 'stream-json', '--prompt=hello']);
    expect(retry).toEqual(first);
    expect(r.status).toBe(0);
  });

  it('without --agent it is a usage error: one line, exit 2, nothing on stdout', async () => {
    const r = await relayAsync(['fanout', '--resume-session', '--task', 'x', '--', 'true'], { env: { RELAY_NO_CONFIG: '1', ...ownControlDir() } });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--resume-session');
  });
});
