// relay's config file: relay.config.json in the current directory, or else the "relay" key of
// its package.json. It defines more agent presets and defaults for fanout's flags. Validated
// with a schema; a mistake is one line naming the file and the key path.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { usageError } from '../errors.js';
import { parseDuration } from '../units.js';
import { EVENT_FORMATS } from './events/types.js';
import { parseOnInput } from './on-input.js';
import type { Preset } from './presets.js';

export const CONFIG_FILE = 'relay.config.json';

const PresetSchema = Type.Object(
  {
    command: Type.Array(Type.String(), { minItems: 1, description: 'Command template; "{}" is the task\'s prompt.' }),
    events: Type.Optional(Type.Union(EVENT_FORMATS.map((f) => Type.Literal(f)), { description: 'Event stream format. Default: none.' })),
    description: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const DefaultsSchema = Type.Object(
  {
    agent: Type.Optional(Type.String({ description: '--agent' })),
    workers: Type.Optional(Type.Integer({ minimum: 1, description: '--workers' })),
    onInput: Type.Optional(Type.String({ description: '--on-input: fail, wait or answer:TEXT' })),
    idleTimeout: Type.Optional(Type.String({ description: '--idle-timeout, e.g. 30s (a bare number is seconds)' })),
    worktree: Type.Optional(Type.Boolean({ description: '--worktree' })),
    keepWorktrees: Type.Optional(Type.Boolean({ description: '--keep-worktrees' })),
    results: Type.Optional(Type.String({ description: '--results DIR' })),
  },
  { additionalProperties: false },
);

export const ConfigSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    presets: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_-]*$' }), PresetSchema, { additionalProperties: false })),
    defaults: Type.Optional(DefaultsSchema),
  },
  { additionalProperties: false },
);

export type RelayConfig = Static<typeof ConfigSchema>;

export interface LoadedConfig {
  /** Where it came from ("relay.config.json", "package.json#relay"), or null when there is none. */
  source: string | null;
  /** The file's full path, or null when there is none. */
  path: string | null;
  config: RelayConfig;
  /** The config's presets, ready for findPreset. */
  presets: Record<string, Preset>;
}

/** Reads the config of `cwd`; a directory without one has an empty config. */
export function loadConfig(cwd = process.cwd()): LoadedConfig {
  const own = readJson(join(cwd, CONFIG_FILE), CONFIG_FILE);
  if (own !== undefined) return { ...validate(own, CONFIG_FILE, ''), path: join(cwd, CONFIG_FILE) };
  const pkg = readJson(join(cwd, 'package.json'), 'package.json');
  if (pkg !== null && typeof pkg === 'object' && 'relay' in pkg) return { ...validate((pkg as { relay: unknown }).relay, 'package.json', 'relay'), path: join(cwd, 'package.json') };
  return NO_CONFIG;
}

/** What --no-config (or RELAY_NO_CONFIG) gives: the built-ins and the flags, nothing else. */
export const NO_CONFIG: LoadedConfig = { source: null, path: null, config: {}, presets: {} };

/**
 * One line for stderr naming the config in use, the built-in presets it replaces and a default
 * agent it makes run: a file in the current directory must not change what a command does unseen.
 */
export function configNotice(loaded: LoadedConfig, builtins: readonly string[], defaultAgent: string | undefined): string | undefined {
  if (loaded.source === null) return undefined;
  const parts = [`using ${loaded.source} (${loaded.path}; --no-config to ignore it)`];
  const replaced = Object.keys(loaded.presets).filter((name) => builtins.includes(name));
  if (replaced.length > 0) parts.push(`its preset${replaced.length > 1 ? 's' : ''} ${replaced.join(', ')} replace${replaced.length > 1 ? '' : 's'} the built-in`);
  if (defaultAgent !== undefined) parts.push(`its defaults.agent runs ${defaultAgent} on every task`);
  return parts.join('; ');
}

function readJson(path: string, label: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw usageError(`${label}: cannot be read: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw usageError(`${label}: not valid JSON: ${(err as Error).message}`);
  }
}

/** "/presets/x/command/0" under key "relay" → "relay.presets.x.command[0]". */
function keyPath(prefix: string, pointer: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
  let out = prefix;
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out === '' ? p : `.${p}`;
  return out === '' ? '(top level)' : out;
}

function errorText(pointer: string, message: string): string {
  if (message !== 'Unexpected property') return message.replace(/^Expected/, 'expected');
  // Under "presets" the keys are names: an unexpected one is a name that breaks the pattern.
  return /^\/presets\/[^/]+$/.test(pointer) ? 'bad preset name (lowercase letters, digits, - and _; starting with a letter)' : 'unknown key';
}

function validate(value: unknown, file: string, prefix: string): Omit<LoadedConfig, 'path'> {
  const source = prefix ? `${file}#${prefix}` : file;
  const first = Value.Errors(ConfigSchema, value).First();
  if (first) {
    const message = errorText(first.path, first.message);
    throw usageError(`${file}: ${keyPath(prefix, first.path)}: ${message}`);
  }
  const config = value as RelayConfig;
  checkValues(config, file, prefix);
  const presets: Record<string, Preset> = {};
  for (const [name, p] of Object.entries(config.presets ?? {})) {
    presets[name] = { name, command: p.command, events: p.events ?? 'none', description: p.description ?? `from ${source}` };
  }
  return { source, config, presets };
}

/** Values the schema lets through as strings but that must parse. */
function checkValues(config: RelayConfig, file: string, prefix: string): void {
  const d = config.defaults ?? {};
  const at = (key: string): string => keyPath(prefix, `/defaults/${key}`);
  if (d.onInput !== undefined) parseOnInput(d.onInput, `${file}: ${at('onInput')}`);
  if (d.idleTimeout !== undefined) {
    try {
      parseDuration(d.idleTimeout);
    } catch (err) {
      throw usageError(`${file}: ${at('idleTimeout')}: ${(err as Error).message}`);
    }
  }
}
