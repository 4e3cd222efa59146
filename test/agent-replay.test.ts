// Every recording in test/fixtures/agents replayed through the built CLI the way the real agent
// would run: `relay fanout --agent NAME`, with a stand-in executable of the CLI's name first on
// PATH that prints the recording on its terminal and exits with the code the real CLI gives
// (SOURCES.md). Each task's prompt names the recording its stand-in prints. The frames are
// checked against the schema (parseFrames) and against what the recording says.
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEventParser, type EventFormat } from '../src/agents/events/index.js';
import { Verdict } from '../src/agents/events/verdict.js';
import type { Frame, RunFinished } from '../src/frames/types.js';
import { exited, parseFrames, relayAsync, shell, spawnRelay } from './helpers/cli.js';
import { tmp } from './helpers/temp.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/agents/', import.meta.url));

/** The exit code each recording's CLI gave, per SOURCES.md (0 unless listed). */
const EXIT: Record<string, number> = {
  'codex/0.10-legacy-envelope-auth-error.jsonl': 1,
  'codex/0.142.5-turn-failed.jsonl': 1,
  'gemini/0.56-formatter-error-events.jsonl': 1,
};
/** gemini-cli's MCP notice (mcp-client-manager.ts), written to stderr without its newline first. */
const GLUED: Record<string, string> = { 'gemini/0.56-tool-use-then-answer.jsonl': 'MCP issues detected. Run /mcp list for status.' };

const recordings = (agent: string): string[] => readdirSync(join(FIXTURES, agent)).filter((f) => /\.(jsonl|txt)$/.test(f)).sort();

/** A directory holding the stand-in `agent`: it prints the recording named in its arguments. */
function standIn(agent: string): string {
  const bin = tmp(`relay-standin-${agent}-`);
  const cases = recordings(agent).map((f) => {
    const name = `${agent}/${f}`;
    const glue = GLUED[name] ? `printf '%s' '${GLUED[name]}' >&2; ` : '';
    return `  '${f}') ${glue}cat '${join(FIXTURES, agent, f)}'; exit ${EXIT[name] ?? 0} ;;`;
  });
  // The prompt comes as its own argument or as an option's value (gemini --prompt=…, aider --message=…).
  const script = ['#!/bin/sh', 'for a; do case "$a" in *.jsonl|*.txt) f="${a##*=}";; esac; done', 'case "$f" in', ...cases, '  *) echo "no recording named in: $*" >&2; exit 99 ;;', 'esac', ''].join('\n');
  const path = join(bin, agent);
  writeFileSync(path, script);
  chmodSync(path, 0o755);
  return bin;
}

/** Runs relay asynchronously: a long synchronous run would stall the test worker's own messaging. */
async function replay(agent: string): Promise<{ frames: Frame[]; status: number | null; names: string[] }> {
  const names = recordings(agent);
  const bin = standIn(agent);
  const tasks = names.flatMap((f) => ['--task', f]);
  const child = spawnRelay(['fanout', '--agent', agent, ...tasks, '-w', '4', '--progress', 'none'], { env: { PATH: `${bin}:${process.env.PATH}` }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const { code } = await exited(child);
  expect(stderr).toBe('');
  return { frames: parseFrames(stdout), status: code, names };
}

/** What relay should report for a recording, from the parser alone. */
function expected(agent: string, file: string) {
  const parser = createEventParser(agent as EventFormat);
  const events = [...parser.push(readFileSync(join(FIXTURES, agent, file), 'utf8')), ...parser.end()];
  const verdict = new Verdict();
  for (const e of events) verdict.add(e);
  return { events, failure: verdict.failure };
}

const body = (f: Frame): Record<string, unknown> => {
  const { v: _v, seq: _s, ts: _t, type: _y, worker: _w, task: _k, task_id: _i, attempt: _a, ...rest } = f as Frame & Record<string, unknown>;
  return rest;
};

describe.each(['claude', 'codex', 'gemini'])('replaying the %s recordings through relay fanout --agent', (agent) => {
  let run: Awaited<ReturnType<typeof replay>>;
  beforeAll(async () => {
    run = await replay(agent);
  }, 120_000);

  it.each(recordings(agent))('%s: its agent_event frames, reason, error, exit code and totals', (file) => {
    const task = run.names.indexOf(file) + 1;
    const { events, failure } = expected(agent, file);
    const ofTask = run.frames.filter((f) => 'task' in f && f.task === task);
    expect(ofTask.filter((f) => f.type === 'agent_event').map(body)).toEqual(events);
    const exit = ofTask.find((f) => f.type === 'worker_exited')!;
    const code = EXIT[`${agent}/${file}`] ?? 0;
    expect(exit).toMatchObject({ exit_code: code, reason: failure === undefined ? 'exit' : 'agent_error' });
    if (failure !== undefined) expect(exit).toMatchObject({ error: failure });
    else expect(exit).not.toHaveProperty('error');
    if (exit.type === 'worker_exited') {
      // A recording relay understood is never flagged as unrecognised.
      expect(exit.agent?.unrecognised).toBeUndefined();
      const session = events.filter((e) => e.kind === 'session' && e.session_id && !e.subagent).at(-1);
      expect(exit.agent?.session_id).toBe(session?.session_id);
    }
  });

  it('run_finished: an attempt fails when its agent says so, whatever its exit code', () => {
    const fin = run.frames.at(-1) as RunFinished;
    const failures = run.names.filter((f) => expected(agent, f).failure !== undefined);
    const failedByCode = run.names.filter((f) => expected(agent, f).failure === undefined && (EXIT[`${agent}/${f}`] ?? 0) !== 0);
    expect(fin.counts).toMatchObject({ total: run.names.length, agent_error: failures.length, failed: failedByCode.length, ok: run.names.length - failures.length - failedByCode.length });
    expect(fin.ok).toBe(failures.length + failedByCode.length === 0);
    expect(fin.failed_tasks.filter((t) => t.reason === 'agent_error').map((t) => run.names[t.task - 1])).toEqual(failures);
    expect(run.status).toBe(fin.exit_code);
  });
});

describe('replaying aider (no event stream)', () => {
  it('reports no agent events: each attempt is judged by its exit code', async () => {
    const run = await replay('aider');
    expect(run.frames.filter((f) => f.type === 'agent_event')).toEqual([]);
    const fin = run.frames.at(-1) as RunFinished;
    expect(fin).toMatchObject({ ok: true, counts: { ok: run.names.length, agent_error: 0 } });
    expect(fin).not.toHaveProperty('agent');
  });
});

describe('a preset agent that printed nothing relay recognised', () => {
  it('is flagged in worker_exited and run_finished (here: a Codex recording fed to the claude preset)', async () => {
    const bin = tmp('relay-standin-wrong-');
    // The legacy Codex envelope has no "type": for the claude format every line is unknown.
    writeFileSync(join(bin, 'claude'), `#!/bin/sh\ncat '${join(FIXTURES, 'codex', '0.10-legacy-envelope-token-count.jsonl')}'\n`);
    chmodSync(join(bin, 'claude'), 0o755);
    const r = await relayAsync(['fanout', '--agent', 'claude', '--task', 'x', '--progress', 'none'], { env: { PATH: `${bin}:${process.env.PATH}` } });
    const frames = parseFrames(r.stdout);
    expect(frames.filter((f) => f.type === 'agent_event').map((f) => (f as { kind: string }).kind)).toEqual(['unknown', 'unknown', 'unknown']);
    expect(frames.find((f) => f.type === 'worker_exited')).toMatchObject({ reason: 'exit', agent: { unrecognised: 1, events: { unknown: 3 } } });
    expect(frames.at(-1)).toMatchObject({ type: 'run_finished', ok: true, agent: { unrecognised: 1 } });
  });
});

describe('with jq, as a user would check it', () => {
  it('the failed Codex turn ends as agent_error with the API\'s own message; the run exits 1', async () => {
    const bin = standIn('codex');
    const r = await shell(`relay fanout --agent codex --task 0.142.5-turn-failed.jsonl --progress none | jq -c 'select(.type=="worker_exited") | [.reason, .exit_code, .error]'`, { env: { PATH: `${bin}:${process.env.PATH}` } });
    expect(r.status).toBe(1); // pipefail: relay's exit status
    expect(r.stdout).toBe(`["agent_error",1,"The 'gpt-5.6-sol' model requires a newer version of Codex. Please upgrade to the latest app or CLI and try again."]\n`);
  });
});

describe('relay schema', () => {
  it('describes the new reason, counts, event kinds and fields', async () => {
    const schema = JSON.parse((await relayAsync(['schema'])).stdout) as { $defs: Record<string, { properties: Record<string, { anyOf?: { const?: string }[]; properties?: Record<string, unknown> }> }> };
    const { worker_exited: exited, run_finished: finished, agent_event: event } = schema.$defs;
    expect(exited!.properties.reason!.anyOf!.map((r) => r.const)).toContain('agent_error');
    expect(Object.keys(finished!.properties.counts!.properties!)).toContain('agent_error');
    expect(event!.properties.kind!.anyOf!.map((k) => k.const)).toEqual(expect.arrayContaining(['rate_limit', 'session', 'unknown']));
    expect(Object.keys(event!.properties)).toEqual(expect.arrayContaining(['severity', 'resets_at', 'session_id', 'model', 'subagent', 'cumulative']));
  });
});
