import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/agents/config.js';
import { BUILTIN_PRESETS, checkInstalled, findPreset, presetCommand } from '../src/agents/presets.js';
import { RelayError } from '../src/errors.js';
import { tmp } from './helpers/temp.js';

function tempDir(files: Record<string, string> = {}): string {
  const dir = tmp('relay-config-');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** The one-line message of the RelayError `fn` throws (and that it is a usage error: exit 2). */
function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RelayError);
    expect((err as RelayError).code).toBe('USAGE');
    expect((err as Error).message).not.toContain('\n');
    return (err as Error).message;
  }
  throw new Error('expected a usage error');
}

describe('agent presets', () => {
  it('expand to each CLI\'s headless invocation with the task as the {} prompt', () => {
    // The prompt goes last, after an end-of-options "--" or as an option's "=value": a task that
    // starts with "-" is never read as a flag (see 'a task that looks like a flag' below).
    expect(presetCommand(findPreset('claude'))).toEqual(['claude', '-p', '--output-format', 'stream-json', '--verbose', '--', '{}']);
    expect(presetCommand(findPreset('codex'))).toEqual(['codex', 'exec', '--json', '--', '{}']);
    expect(presetCommand(findPreset('gemini'))).toEqual(['gemini', '--output-format', 'stream-json', '--prompt={}']);
    expect(presetCommand(findPreset('aider'))).toEqual(['aider', '--yes-always', '--message={}']);
    expect(presetCommand(findPreset('claude'), ['--model', 'opus'])).toEqual(['claude', '-p', '--output-format', 'stream-json', '--verbose', '--model', 'opus', '--', '{}']);
    const sim = presetCommand(findPreset('sim'), ['--seed', '4']);
    expect(sim[0]).toBe(process.execPath);
    expect(sim[1]).toMatch(/sim[\\/]main\.js$/);
    expect(sim.slice(2)).toEqual(['--events', '--seed', '4', '--prompt={}']);
    expect(Object.fromEntries(Object.values(BUILTIN_PRESETS).map((p) => [p.name, p.events]))).toEqual({ claude: 'claude', codex: 'codex', gemini: 'gemini', aider: 'none', sim: 'sim' });
  });

  it('refuses an unknown agent naming the known ones', () => {
    expect(usageMessage(() => findPreset('gpt'))).toBe('agent: unknown agent "gpt" (known: aider, claude, codex, gemini, sim)');
  });

  it('fails fast with one line naming a binary that is not on PATH', () => {
    const empty = tempDir();
    expect(usageMessage(() => checkInstalled(findPreset('claude'), { PATH: empty }, empty))).toBe('agent: "claude" is not installed (not found on PATH)');
  });

  it('accepts a preset whose binary is on PATH, and the built-in agent everywhere', () => {
    const bin = tempDir();
    writeFileSync(join(bin, 'codex'), '#!/bin/sh\n');
    chmodSync(join(bin, 'codex'), 0o755);
    expect(() => checkInstalled(findPreset('codex'), { PATH: bin }, bin)).not.toThrow();
    expect(() => checkInstalled(findPreset('sim'), { PATH: '' }, bin)).not.toThrow();
  });
});

describe('relay config', () => {
  it('is empty where there is no relay.config.json and no relay key in package.json', () => {
    expect(loadConfig(tempDir({ 'package.json': '{"name":"x"}' }))).toEqual({ source: null, path: null, config: {}, presets: {} });
  });

  it('reads presets and defaults from relay.config.json; a config preset can redefine a built-in', () => {
    const dir = tempDir({
      'relay.config.json': JSON.stringify({
        presets: {
          claude: { command: ['claude', '-p', '{}', '--output-format', 'stream-json', '--verbose', '--permission-mode', 'acceptEdits'], events: 'claude' },
          lint: { command: ['npx', 'eslint', '{}'], description: 'lint one file' },
        },
        defaults: { agent: 'lint', workers: 3, onInput: 'answer:yes', idleTimeout: '30s', worktree: true },
      }),
    });
    const loaded = loadConfig(dir);
    expect(loaded.source).toBe('relay.config.json');
    expect(loaded.config.defaults).toEqual({ agent: 'lint', workers: 3, onInput: 'answer:yes', idleTimeout: '30s', worktree: true });
    expect(findPreset('lint', loaded.presets)).toEqual({ name: 'lint', command: ['npx', 'eslint', '{}'], events: 'none', description: 'lint one file' });
    expect(findPreset('claude', loaded.presets).command.at(-1)).toBe('acceptEdits');
    expect(findPreset('codex', loaded.presets)).toBe(BUILTIN_PRESETS.codex);
  });

  it('falls back to the relay key of package.json', () => {
    const dir = tempDir({ 'package.json': JSON.stringify({ name: 'app', relay: { defaults: { agent: 'codex' } } }) });
    const loaded = loadConfig(dir);
    expect(loaded.source).toBe('package.json#relay');
    expect(loaded.config.defaults?.agent).toBe('codex');
  });

  it('names the file and the bad key path in one line', () => {
    const bad = (config: unknown, file = 'relay.config.json'): string =>
      usageMessage(() => loadConfig(tempDir({ [file]: JSON.stringify(file === 'package.json' ? { relay: config } : config) })));
    expect(bad({ presets: { x: { command: 'claude -p' } } })).toBe('relay.config.json: presets.x.command: expected array');
    expect(bad({ presets: { x: { command: ['a', 3] } } })).toBe('relay.config.json: presets.x.command[1]: expected string');
    expect(bad({ presets: { x: { command: [] } } })).toMatch(/^relay\.config\.json: presets\.x\.command: expected array length/);
    expect(bad({ presets: { x: { command: ['a'], events: 'gpt' } } })).toMatch(/^relay\.config\.json: presets\.x\.events: /);
    expect(bad({ defaults: { wrokers: 3 } })).toBe('relay.config.json: defaults.wrokers: unknown key');
    expect(bad({ presets: { 'My Agent': { command: ['a'] } } })).toBe('relay.config.json: presets.My Agent: bad preset name (lowercase letters, digits, - and _; starting with a letter)');
    expect(bad({ defaults: { workers: 0 } }, 'package.json')).toMatch(/^package\.json: relay\.defaults\.workers: expected integer to be greater or equal to 1$/);
    expect(bad({ defaults: { onInput: 'maybe' } })).toBe('relay.config.json: defaults.onInput: expected fail, wait or answer:TEXT, got "maybe"');
    expect(bad({ defaults: { idleTimeout: 'soon' } })).toBe('relay.config.json: defaults.idleTimeout: expected a duration such as 10 (seconds), 500ms, 2s or 1m, got "soon"');
    expect(bad([1])).toMatch(/^relay\.config\.json: \(top level\): expected object$/);
  });

  it('reports a file that is not JSON in one line', () => {
    const dir = tempDir({ 'relay.config.json': '{ presets: }' });
    expect(usageMessage(() => loadConfig(dir))).toMatch(/^relay\.config\.json: not valid JSON: /);
  });
});
