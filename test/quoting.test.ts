// Task text is data, never code (issue 13, class 3): a hostile corpus of task lines through real
// `sh -c` / `bash -c` / `dash -c` commands run by the built CLI. Nothing in it may execute (a
// canary file is never created) and every value arrives byte for byte.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPreset, presetCommand } from '../src/agents/presets.js';
import type { WorkerStream } from '../src/frames/types.js';
import { fillTemplate } from '../src/tasks/template.js';
import { expectUsageError, parseFrames, relayAsync } from './helpers/cli.js';
import { tmp } from './helpers/temp.js';

const dir = tmp('relay-quoting-');
const CANARY = join(dir, 'CANARY');
const touch = `touch ${CANARY}`;

/** Shell injection as people try it: substitutions, separators, quotes breaking out, flags, NUL-free control and Unicode. */
const TEXTS = [
  `$(${touch})`, `\`${touch}\``, `; ${touch}`, `&& ${touch}`, `| ${touch}`, `> ${CANARY}`,
  `' ; ${touch} ; '`, `" ; ${touch} ; "`, `"$(${touch})"`, `'$(${touch})'`, `\\'; ${touch}; #`, `\\"; ${touch}; #`,
  `'"'"'; ${touch}; '"'"'`, `$((1+1)) \${HOME} $HOME ~ * ? [a] !! !$`, `{} {#} {id} {raw} {%}`,
  '--dangerously-skip-permissions', '-n', '-e \\x41 \\n \\c', '  leading and trailing  ',
  'héllo — 日本語 🎉 \u202eRTL\u202c \u2066isolate\u2069',
  `line one\n${touch}\nline three`, `tab\there\r\ncarriage; ${touch}`, `\x1b]0;title\x07 \x1b[31m$(${touch})`,
  `'`, `"`, '\\', '$', '`', '',
];

function corpusFile(): string {
  const lines = TEXTS.map((text, i) => JSON.stringify({ id: i % 3 === 0 ? `id-${i} $(${touch}) '"` : `t${i}`, prompt: text }));
  const file = join(dir, 'tasks.ndjson');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** Each task's output (its terminal turns "\n" into "\r\n"). */
function outputs(stdout: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const f of parseFrames(stdout)) if (f.type === 'worker_stream') out.set(f.task, (out.get(f.task) ?? '') + (f as WorkerStream).data);
  return out;
}

/** The worker slot each task ran on. */
function slots(stdout: string): Map<number, string> {
  return new Map(parseFrames(stdout).filter((f) => f.type === 'worker_started').map((f) => [f.task, f.worker.slice(1)]));
}

const onTerminal = (s: string): string => s.replaceAll('\n', '\r\n');
const idOf = (i: number): string => (i % 3 === 0 ? `id-${i} $(${touch}) '"` : `t${i}`);

describe('placeholders in shell scripts', () => {
  const file = corpusFile();

  it.each([
    ['unquoted, sh', ['sh', '-c', 'printf "<%s>" {}'], (t: string) => `<${t}>`],
    ['inside "…", bash', ['bash', '-c', 'printf "<%s>" "pre {} post"'], (t: string) => `<pre ${t} post>`],
    ["inside '…', dash", ['dash', '-c', "printf '<%s>' 'in {} single'"], (t: string) => `<in ${t} single>`],
    ['inside "$(…)", bash -ec', ['bash', '-ec', 'printf "<%s>" "$(printf "%s" {})"'], (t: string) => `<${t.replace(/\n+$/, '')}>`],
    ['an assignment, sh', ['sh', '-c', 'x={}; printf "<%s>" "$x"'], (t: string) => `<${t}>`],
    ["the README's example, bash", ['bash', '-c', 'echo "task {#} ({id}) on w{%}: $1"', '_', '{}'], (t: string, i: number, slot: string) => `task ${i + 1} (${idOf(i)}) on w${slot}: ${t}\n`],
    ['a script given as text appended to sh -c', ['sh', '-c'], () => null],
  ])('%s: nothing executes and the text arrives byte for byte', async (_label, command, expected) => {
    const r = await relayAsync(['fanout', '--tasks', file, '--workers', '4', '--progress', 'none', '--', ...command], { timeout: 240_000 });
    expect(existsSync(CANARY)).toBe(false);
    const got = outputs(r.stdout);
    const slot = slots(r.stdout);
    TEXTS.forEach((text, i) => {
      const want = expected(text, i, slot.get(i + 1)!);
      if (want !== null) expect(got.get(i + 1) ?? '', JSON.stringify(text)).toBe(onTerminal(want));
    });
    if (command.length > 2) expect(r.status).toBe(0);
  });

  it('{raw} pastes the text as code, as documented (and the canary shows it)', async () => {
    const raw = join(dir, 'raw.txt');
    writeFileSync(raw, `${touch}\n`);
    const r = await relayAsync(['fanout', '--tasks', raw, '--progress', 'none', '--', 'sh', '-c', '{raw}']);
    expect(r.status).toBe(0);
    expect(existsSync(CANARY)).toBe(true);
  });

  it.each([
    ['inside backticks', ['sh', '-c', 'echo `echo {}`']],
    ['inside ${…}', ['sh', '-c', 'echo ${x:-{}}']],
    ['in a comment', ['sh', '-c', 'echo hi # {}']],
    ['in a here-document', ['bash', '-c', 'cat <<EOF\n{}\nEOF']],
    ['the id in backticks', ['sh', '-c', 'echo `echo {id}`']],
    ["python's code", ['python3', '-c', 'print("{}")']],
    ["node's code", ['node', '-e', 'console.log("{}")']],
    ["fish's script", ['fish', '-c', 'echo {}']],
  ])('refuses a placeholder %s before anything runs: one line, exit 2', async (_label, command) => {
    expectUsageError(await relayAsync(['fanout', '--task', 'x', '--', ...command]), /command: \{(id)?\} .*(cannot be quoted safely|relay quotes task text only for POSIX shells)/);
  });

  it('leaves numbers, ordinary arguments and other programs\' arguments as they are', () => {
    const values = { number: 3, id: "it's", text: "a 'b' $(c)", slot: 2 };
    expect(fillTemplate(['echo', '{}', 'pre {} post', '{id}'], values)).toEqual(['echo', "a 'b' $(c)", "pre a 'b' $(c) post", "it's"]);
    expect(fillTemplate(['bash', '-c', 'echo $(( {#} * {%} )) `date` ${x}', '_', '{}'], values)).toEqual(['bash', '-c', 'echo $(( 3 * 2 )) `date` ${x}', '_', "a 'b' $(c)"]);
    expect(fillTemplate(['bash', 'script.sh', '-c', '{}'], values)).toEqual(['bash', 'script.sh', '-c', "a 'b' $(c)"]);
    expect(fillTemplate(['env', 'A=1', 'sh', '-ec', 'echo {}'], values)).toEqual(['env', 'A=1', 'sh', '-ec', `echo 'a '\\''b'\\'' $(c)'`]);
  });

  it('refuses a task with a NUL character (an argument would silently end there)', async () => {
    const nul = join(dir, 'nul.ndjson');
    writeFileSync(nul, '{"prompt": "a\\u0000; rm -rf /"}\n');
    expectUsageError(await relayAsync(['fanout', '--tasks', nul, '--', 'sh', '-c', 'echo {}']), /NUL/);
  });
});

describe('agent presets: a task that looks like a flag stays the prompt', () => {
  const FLAGS = ['--dangerously-skip-permissions', '--yolo', '-y', '--ask', '--help', '-'];

  it('the built-in agent gets "--ask" as its prompt and does not ask', async () => {
    const r = await relayAsync(['fanout', '--agent', 'sim', ...FLAGS.map((t) => `--task=${t}`), '--progress', 'none', '--', '--duration', '0'], { env: { NO_COLOR: '1' } });
    expect(r.status).toBe(0);
    const out = outputs(r.stdout);
    FLAGS.forEach((t, i) => expect(out.get(i + 1)).toContain(`"prompt":${JSON.stringify(t)}`));
    expect(parseFrames(r.stdout).some((f) => f.type === 'agent_event' && f.kind === 'awaiting_input')).toBe(false);
  });

  it("gemini's and aider's option=value forms keep a leading dash in their parsers (yargs, argparse)", () => {
    const yargs = createRequire(import.meta.url)('yargs-parser') as (a: string[], o: object) => Record<string, unknown>;
    const aiderLike = "import argparse,json,sys\np=argparse.ArgumentParser(); p.add_argument('--message','--msg','-m'); p.add_argument('--yes-always',action='store_true')\nfor a in json.loads(sys.argv[1]): print(json.dumps(p.parse_args(a).message))";
    const filled = (name: string): string[][] => FLAGS.map((task) => fillTemplate(presetArgs(name), { number: 1, id: '1', text: task, slot: 1 }).slice(1));
    for (const [i, args] of filled('gemini').entries()) {
      expect(yargs(args, { string: ['prompt', 'output-format'], boolean: ['yolo', 'y'], alias: { prompt: 'p' } }).prompt).toBe(FLAGS[i]);
    }
    const parsed = spawnSync('python3', ['-c', aiderLike, JSON.stringify(filled('aider'))], { encoding: 'utf8' });
    expect(parsed.stdout.trim().split('\n').map((l) => JSON.parse(l) as string)).toEqual(FLAGS);
  });
});

function presetArgs(name: string): string[] {
  return presetCommand(findPreset(name));
}
