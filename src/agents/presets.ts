// Agent presets (--agent NAME): an agent CLI's headless invocation with the task as its prompt
// ("{}", filled per task), and the format of the JSON event stream it prints, if any.
import { usageError } from '../errors.js';
import { simCommand } from '../sim/command.js';
import { resolveCommand } from '../pty/resolve.js';
import type { EventFormat } from './events/types.js';

export interface Preset {
  name: string;
  /** Command template; "{}" is the task's text (its prompt). */
  command: readonly string[];
  /**
   * Where the prompt goes, after the arguments given after "--": behind an end-of-options "--" or
   * as an option's "=value", so a task such as "--dangerously-skip-permissions" stays a prompt.
   */
  prompt?: readonly string[];
  /** How its output is parsed into agent_event frames. */
  events: EventFormat;
  description: string;
}

/** The default: relay's own simulated agent, printing a Claude-style event stream. */
export const DEFAULT_AGENT = 'sim';

export const BUILTIN_PRESETS: Readonly<Record<string, Preset>> = {
  claude: {
    name: 'claude',
    // -p/--print is a mode switch; the prompt is the positional argument (Claude Code CLI reference).
    command: ['claude', '-p', '--output-format', 'stream-json', '--verbose'],
    prompt: ['--', '{}'],
    events: 'claude',
    description: 'Claude Code in print mode, stream-json events',
  },
  codex: {
    name: 'codex',
    // codex exec [OPTIONS] [PROMPT] (clap): "--" ends the options.
    command: ['codex', 'exec', '--json'],
    prompt: ['--', '{}'],
    events: 'codex',
    description: 'OpenAI Codex CLI, non-interactive exec with JSONL events',
  },
  gemini: {
    name: 'gemini',
    // -p/--prompt takes the prompt as its value (yargs): "=" keeps a leading "-" in it.
    command: ['gemini', '--output-format', 'stream-json'],
    prompt: ['--prompt={}'],
    events: 'gemini',
    description: 'Gemini CLI in headless mode, stream-json events',
  },
  aider: {
    name: 'aider',
    // --message takes the prompt as its value (argparse): "=" keeps a leading "-" in it.
    command: ['aider', '--yes-always'],
    prompt: ['--message={}'],
    events: 'none',
    description: 'aider, one message then exit, confirmations answered yes (no event stream)',
  },
  sim: {
    name: 'sim',
    command: simCommand(['--events']),
    prompt: ['--prompt={}'],
    events: 'sim',
    description: 'relay\'s built-in simulated agent, Claude-style stream-json events',
  },
};

/** Finds a preset: the config's own first (they may redefine a built-in), then the built-ins. */
export function findPreset(name: string, extra: Readonly<Record<string, Preset>> = {}): Preset {
  const preset = extra[name] ?? BUILTIN_PRESETS[name];
  if (preset) return preset;
  const known = [...new Set([...Object.keys(BUILTIN_PRESETS), ...Object.keys(extra)])].sort().join(', ');
  throw usageError(`unknown agent "${name}" (known: ${known})`, { option: 'agent', value: name });
}

/** The preset's command with extra arguments (after "--") before its prompt. */
export function presetCommand(preset: Preset, extraArgs: readonly string[] = []): string[] {
  return [...preset.command, ...extraArgs, ...(preset.prompt ?? [])];
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
  // Named after the preset when that is not its program's name (a preset of relay.config.json).
  const reason = preset.name === program ? `"${program}" ${why}` : `${preset.name}: "${program}" ${why}`;
  throw usageError(reason, { option: 'agent', value: preset.name });
}
