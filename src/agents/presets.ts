// Agent presets (--agent NAME): an agent CLI's headless invocation with the task as its prompt
// ("{}", filled per task), and the format of the JSON event stream it prints, if any.
import { usageError } from '../errors.js';
import { simCommand } from '../sim/command.js';
import { resolveCommand } from '../pty/resolve.js';
import { fillTemplate, type TemplateValues } from '../tasks/template.js';
import type { EventFormat } from './events/types.js';

/** In a resume form, the argument that becomes the session id reported by the previous attempt. */
export const SESSION = '{session}';

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
  /**
   * How its CLI continues a session (--resume-session): `command` replaces the preset's command
   * and `prompt` its prompt; one argument of either is SESSION. Absent: retries start afresh.
   */
  resume?: { command: readonly string[]; prompt: readonly string[] };
}

/** The default: relay's own simulated agent, printing a Claude-style event stream. */
export const DEFAULT_AGENT = 'sim';

export const BUILTIN_PRESETS: Readonly<Record<string, Preset>> = {
  claude: {
    name: 'claude',
    // -p/--print is a mode switch; the prompt is the positional argument (Claude Code CLI reference).
    command: ['claude', '-p', '--output-format', 'stream-json', '--verbose'],
    prompt: ['--', '{}'],
    // --resume/-r SESSION_ID with -p (CLI reference; headless docs: "--resume with a session ID").
    resume: { command: ['claude', '-p', '--resume', SESSION, '--output-format', 'stream-json', '--verbose'], prompt: ['--', '{}'] },
    events: 'claude',
    description: 'Claude Code in print mode, stream-json events',
  },
  codex: {
    name: 'codex',
    // codex exec [OPTIONS] [PROMPT] (clap): "--" ends the options.
    command: ['codex', 'exec', '--json'],
    prompt: ['--', '{}'],
    // codex exec [OPTIONS] resume [SESSION_ID] [PROMPT] (codex-rs/exec/src/cli.rs): the exec options
    // stay before the subcommand; "--" keeps both positionals positional.
    resume: { command: ['codex', 'exec', '--json'], prompt: ['resume', '--', SESSION, '{}'] },
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

/** A preset's resume form with the extra arguments, and where in it the session id goes. */
export interface ResumeTemplate {
  argv: readonly string[];
  /** Index of the session id in `argv` (placed after filling, so it is never expanded). */
  session: number;
}

/** Its resume form (as presetCommand builds its command), or undefined when its CLI has none. */
export function resumeTemplate(preset: Preset, extraArgs: readonly string[] = []): ResumeTemplate | undefined {
  if (!preset.resume) return undefined;
  const argv = [...preset.resume.command, ...extraArgs, ...preset.resume.prompt];
  // The extra arguments are the user's: the marker is looked for in the preset's parts only.
  const inCommand = preset.resume.command.indexOf(SESSION);
  const session = inCommand >= 0 ? inCommand : preset.resume.command.length + extraArgs.length + preset.resume.prompt.indexOf(SESSION);
  return { argv, session };
}

/**
 * What an id must look like to be passed on a command line: agents print UUIDs (or thread
 * names); anything else (a leading "-", control characters) is not trusted as an argument.
 */
const SAFE_SESSION = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;

/** The resume command of one attempt; undefined when the id is not one to put on a command line. */
export function resumeArgv(template: ResumeTemplate, sessionId: string, values: TemplateValues): string[] | undefined {
  if (!SAFE_SESSION.test(sessionId)) return undefined;
  const argv = fillTemplate(template.argv, values);
  argv[template.session] = sessionId;
  return argv;
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
