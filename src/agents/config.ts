// relay's config file: relay.config.json in the current directory, or else the "relay" key of
// its package.json. It defines more agent presets and defaults for fanout's flags. Validated
// with a schema; a mistake is one line naming the file and the key path. Finding it (without
// the schema) is src/agents/config-file.ts.
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { usageError } from '../errors.js';
import { parseDuration } from '../units.js';
import { EVENT_FORMATS } from './events/types.js';
import { parseOnInput } from './on-input.js';
import type { Preset } from './presets.js';
import { findConfig, NO_CONFIG, type FoundConfig, type LoadedConfig } from './config-file.js';

export { CONFIG_FILE, configNotice, NO_CONFIG, type LoadedConfig } from './config-file.js';

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

/** Reads the config of `cwd`; a directory without one has an empty config. */
export function loadConfig(cwd = process.cwd()): LoadedConfig {
  const found = findConfig(cwd);
  return found ? checkConfig(found) : NO_CONFIG;
}

/** A config as found, checked against the schema: a mistake is a usage error naming file and key. */
export function checkConfig(found: FoundConfig): LoadedConfig {
  return { ...validate(found.value, found.file, found.prefix), path: found.path };
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
