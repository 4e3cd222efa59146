// Finding relay's config (relay.config.json, or else package.json's "relay" key) and naming it on
// stderr, apart from its schema (src/agents/config.ts): TypeBox is loaded only when there is a
// config to check, not on every start.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { usageError } from '../errors.js';
import type { RelayConfig } from './config.js';
import type { Preset } from './presets.js';

export const CONFIG_FILE = 'relay.config.json';

export interface LoadedConfig {
  /** Where it came from ("relay.config.json", "package.json#relay"), or null when there is none. */
  source: string | null;
  /** The file's full path, or null when there is none. */
  path: string | null;
  config: RelayConfig;
  /** The config's presets, ready for findPreset. */
  presets: Record<string, Preset>;
}

/** A config as found, not yet checked: its JSON value, file, key ("" or "relay") and full path. */
export interface FoundConfig {
  value: unknown;
  file: string;
  prefix: string;
  path: string;
}

/** The config of `cwd`, unchecked, or undefined when there is none. */
export function findConfig(cwd = process.cwd()): FoundConfig | undefined {
  const own = readJson(join(cwd, CONFIG_FILE), CONFIG_FILE);
  if (own !== undefined) return { value: own, file: CONFIG_FILE, prefix: '', path: join(cwd, CONFIG_FILE) };
  const pkg = readJson(join(cwd, 'package.json'), 'package.json');
  if (pkg !== null && typeof pkg === 'object' && 'relay' in pkg) return { value: (pkg as { relay: unknown }).relay, file: 'package.json', prefix: 'relay', path: join(cwd, 'package.json') };
  return undefined;
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
