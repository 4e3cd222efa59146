// Agent presets (--agent NAME): an agent CLI's headless invocation with the task as its prompt
// ("{}", filled per task), and the format of the JSON event stream it prints, if any.
import { usageError } from '../errors.js';
import { agentCommand } from '../fanout/options.js';
import { resolveCommand } from '../workers/resolve.js';
import type { EventFormat } from './events/types.js';

export interface Preset {
  name: string;
  /** Command template; "{}" is the task's text (its prompt). */
  command: readonly string[];
  /** How its output is parsed into agent_event frames. */
  events: EventFormat;
  description: string;
}

/** The default: relay's own simulated agent, printing a Claude-style event stream. */
export const DEFAULT_AGENT = 'sim';

export const BUILTIN_PRESETS: Readonly<Record<string, Preset>> = {
  claude: {
    name: 'claude',
    command: ['claude', '-p', '{}', '--output-format', 'stream-json', '--verbose'],
    events: 'claude',
    description: 'Claude Code in print mode, stream-json events',
  },
  codex: {
    name: 'codex',
    command: ['codex', 'exec', '--json', '{}'],
    events: 'codex',
    description: 'OpenAI Codex CLI, non-interactive exec with JSONL events',
  },
  gemini: {
    name: 'gemini',
    command: ['gemini', '-p', '{}', '--output-format', 'stream-json'],
    events: 'gemini',
    description: 'Gemini CLI in headless mode, stream-json events',
  },
  aider: {
    name: 'aider',
    command: ['aider', '--message', '{}', '--yes-always'],
    events: 'none',
    description: 'aider, one message then exit, confirmations answered yes (no event stream)',
  },
  sim: {
    name: 'sim',
    command: agentCommand(['--events', '--prompt', '{}']),
    events: 'sim',
    description: 'relay\'s built-in simulated agent, Claude-style stream-json events',
  },
};

/** Finds a preset: the config's own first (they may redefine a built-in), then the built-ins. */
export function findPreset(name: string, extra: Readonly<Record<string, Preset>> = {}): Preset {
  const preset = extra[name] ?? BUILTIN_PRESETS[name];
  if (preset) return preset;
  const known = [...new Set([...Object.keys(BUILTIN_PRESETS), ...Object.keys(extra)])].sort().join(', ');
  throw usageError(`--agent: unknown agent "${name}" (known: ${known})`);
}

/** The preset's command with extra arguments (after "--") appended. */
export function presetCommand(preset: Preset, extraArgs: readonly string[] = []): string[] {
  return [...preset.command, ...extraArgs];
}

/**
 * Fails fast when the preset's program cannot be run here, with one line naming it: better
 * than N workers each failing with 127.
 */
export function checkInstalled(preset: Preset, env: Record<string, string | undefined> = process.env, cwd = process.cwd()): void {
  const program = preset.command[0] ?? '';
  const found = resolveCommand(program, env, cwd);
  if (found.ok) return;
  const why = found.exitCode === 127 ? 'is not installed (not found on PATH)' : 'cannot be run (not executable)';
  throw usageError(`--agent ${preset.name}: "${program}" ${why}`);
}
