import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ResultsWriter, plainScreen, plainText, type Manifest } from '../src/agents/results.js';
import { AgentSession } from '../src/agents/session.js';
import { RelayError } from '../src/errors.js';
import type { AgentEvent, FrameBody } from '../src/frames/types.js';
import { ROOT, run } from './helpers/cli.js';
import { tmp } from './helpers/temp.js';

const tempDir = (): string => tmp('relay-results-');

/** Every file under dir, relative, except the manifest. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.filter((f) => f !== 'manifest.json').sort();
}

const manifestOf = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
const listed = (m: Manifest): string[] => m.tasks.flatMap((t) => Object.values(t.files)).sort();

/** The built-in agent's output as a terminal delivers it ("\r\n"), in uneven chunks. */
async function agentOutput(args: string[]): Promise<string[]> {
  const out = (await run(process.execPath, [join(ROOT, 'dist/sim/main.js'), '--duration', '0', ...args], { env: { NO_COLOR: '' } })).stdout.replaceAll('\n', '\r\n');
  const chunks: string[] = [];
  for (let i = 0, n = 1; i < out.length; i += n, n = (n * 7) % 97 + 1) chunks.push(out.slice(i, i + n));
  return chunks;
}

describe('the results folder', () => {
  it('writes per task the transcript, plain text, final screen, result text, diff and events, and a manifest matching the files exactly', async () => {
    const dir = join(tempDir(), 'results');
    let clock = Date.UTC(2026, 0, 2, 3, 4, 5);
    const results = ResultsWriter.open({ dir, runId: 'run-1', cols: 80, rows: 10, now: () => (clock += 1000) });

    // Task 1: an agent with an event stream, through an agent session.
    const t1 = results.task({ id: 'fix cache', number: 1, worker: 'w1', prompt: 'fix the cache' });
    const session = new AgentSession({ source: { worker: 'w1', task: 1, task_id: 'fix cache', attempt: 1 }, events: 'sim', emit: (b) => t1.event(b as FrameBody<AgentEvent>), write: () => {}, fail: () => {} });
    const chunks1 = await agentOutput(['--events', '--seed', '2', '--tools', '2', '--prompt', 'fix the cache']);
    for (const c of chunks1) t1.write(c), session.onText(c);
    session.end();
    await t1.finish({ exitCode: 0, signal: null, reason: 'exit', durationMs: 1200, resultText: session.resultText, agent: session.totals, diff: 'diff --git a/x b/x\n' });

    // Task 2: a terminal agent (colour, spinner), no event stream, failed.
    const t2 = results.task({ id: '2', number: 2, worker: 'w2' });
    const chunks2 = await agentOutput(['--seed', '3', '--tools', '1', '--exit-code', '4']);
    for (const c of chunks2) t2.write(c);
    await t2.finish({ exitCode: 4, signal: null, reason: 'exit', durationMs: 800 });
    const manifest = results.close({ ok: false, exitCode: 1, reason: 'completed' });

    expect(manifestOf(dir)).toEqual(manifest);
    expect(listed(manifest)).toEqual(filesUnder(dir));
    expect(manifest).toMatchObject({ version: 1, run_id: 'run-1', started_at: '2026-01-02T03:04:06.000Z', complete: true, run: { ok: false, exit_code: 1, reason: 'completed' } });
    expect(manifest.tasks.map((t) => [t.folder, t.exit_code, Object.keys(t.files).sort()])).toEqual([
      ['001-fix-cache', 0, ['diff', 'events', 'result', 'screen', 'transcript', 'transcript_text']],
      ['002-2', 4, ['screen', 'transcript', 'transcript_text']],
    ]);
    const file = (f: string): string => readFileSync(join(dir, f), 'utf8');
    const [one, two] = manifest.tasks;
    expect(file(one!.files.transcript)).toBe(chunks1.join(''));
    expect(file(two!.files.transcript)).toBe(chunks2.join(''));
    expect(file(two!.files.transcript)).toContain('\x1b[');
    expect(file(two!.files.transcript_text)).not.toContain('\x1b');
    expect(file(two!.files.transcript_text)).not.toContain('\r');
    expect(file(two!.files.screen).trimEnd().split('\n').at(-1)).toBe('✗ Done: 1 tool calls, 4000 bytes of text, exit 4');
    expect(file(two!.files.screen).split('\n').length).toBeLessThanOrEqual(11);
    expect(file(one!.files.result!)).toBe(session.resultText);
    expect(session.resultText).toMatch(/Done: 2 tool calls\.$/);
    expect(file(one!.files.diff!)).toBe('diff --git a/x b/x\n');
    const events = file(one!.files.events!).trimEnd().split('\n').map((l) => JSON.parse(l) as { kind: string });
    expect(events.map((e) => e.kind)).toEqual(['session', 'message', 'message', 'tool_use', 'tool_result', 'message', 'tool_use', 'tool_result', 'message', 'result']);
    expect(one!.agent).toEqual(session.totals);
    expect(one!.prompt).toBe('fix the cache');
  });

  it('keeps a valid manifest of the finished tasks when the run stops half-way', async () => {
    const dir = tempDir();
    const results = ResultsWriter.open({ dir, runId: 'run-2' });
    expect(manifestOf(dir)).toMatchObject({ complete: false, tasks: [] });
    const a = results.task({ id: 'a', number: 1, worker: 'w1' });
    results.task({ id: 'b', number: 2, worker: 'w2' }).write('still running');
    a.write('done\r\n');
    await a.finish({ exitCode: 0, signal: null, reason: 'exit', durationMs: 5 });
    const m = manifestOf(dir);
    expect(m.complete).toBe(false);
    expect(m.tasks.map((t) => t.id)).toEqual(['a']);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('gives retries and clashing ids folders of their own', async () => {
    const dir = tempDir();
    const results = ResultsWriter.open({ dir, runId: 'run-3' });
    const folders = [];
    for (const key of [{ id: 'x', number: 1, worker: 'w1' }, { id: 'x', number: 1, worker: 'w2', attempt: 2 }, { id: 'x', number: 1, worker: 'w1' }]) {
      const t = results.task(key);
      folders.push((await t.finish({ exitCode: 1, signal: null, reason: 'exit', durationMs: 1 })).folder);
    }
    expect(folders).toEqual(['001-x', '001-x.attempt-2', '001-x-2']);
  });

  it('feeds the screen it is given as output arrives (the hook for a terminal emulator)', async () => {
    const dir = tempDir();
    const fed: string[] = [];
    const screen = (size: { cols: number; rows: number }) => ({
      write: (data: string, parsed?: () => void) => (fed.push(data), parsed?.()),
      text: async () => [`${size.cols}x${size.rows}:${fed.join('|')}`],
      dispose: () => {},
    });
    const results = ResultsWriter.open({ dir, runId: 'run-4', cols: 20, rows: 5, screen });
    const t = results.task({ id: 'a', number: 1, worker: 'w1' });
    t.write('abc');
    expect(fed).toEqual(['abc']);
    t.write('de');
    const entry = await t.finish({ exitCode: 0, signal: null, reason: 'exit', durationMs: 1 });
    expect(readFileSync(join(dir, entry.files.screen), 'utf8')).toBe('20x5:abc|de\n');
  });

  it('refuses a DIR that is a file, in one line', () => {
    const file = join(tempDir(), 'f');
    writeFileSync(file, '');
    expect(() => ResultsWriter.open({ dir: file, runId: 'r' })).toThrow(RelayError);
    expect(() => ResultsWriter.open({ dir: file, runId: 'r' })).toThrow(`resultsDir: ${file}: not a directory`);
  });
});

describe('plain text and screens', () => {
  it('resolve carriage-return redraws and strip colour', async () => {
    expect(plainText('\x1b[33m⠋\x1b[0m Thinking…\r\x1b[2Kdone\r\nnext\r\n')).toBe('done\nnext\n');
    expect(await plainScreen('a\nb\nc\n\n\n', { cols: 1, rows: 2 })).toBe('b\nc\n');
    expect(await plainScreen('abcdef\n', { cols: 3, rows: 2 })).toBe('abc\n');
    expect(await plainScreen('a\n  \nb\n' + '\n'.repeat(500), { cols: 3, rows: 2 })).toBe('\nb\n');
    expect(await plainScreen('a\n' + '\n'.repeat(500) + 'b', { cols: 3, rows: 3 })).toBe('\n\nb\n');
  });
});
