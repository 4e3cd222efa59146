// What issue 8's flags mean for one fanout, decided before anything is opened: the config file
// (relay.config.json or package.json#relay; flags win over its defaults), the --agent preset and
// its command, whether its program is installed, and the AgentExtension's options. Usage errors here are
// one line and exit 2, before anything reaches stdout.
import type { AgentExtensionOptions } from '../agents/extension.js';
import { configNotice, findConfig, NO_CONFIG, type LoadedConfig } from '../agents/config-file.js';
import { parseOnInput } from '../agents/on-input.js';
import { BUILTIN_PRESETS, checkInstalled, findPreset, presetCommand, resumeTemplate } from '../agents/presets.js';
import { usageError } from '../errors.js';
import { parseDuration } from '../units.js';

export interface AgentFlags {
  /** The command after "--", if any. */
  command: string[] | undefined;
  /** Whether there is a task list (an agent needs one: each task is its prompt). */
  taskList: boolean;
  agent: string | undefined;
  onInput: string | undefined;
  worktree: boolean | undefined;
  keepWorktrees: boolean | undefined;
  results: string | undefined;
  workers: number | undefined;
  idleTimeoutMs: number | undefined;
  /** --resume-session: a retry continues its agent's session (presets with a resume form). */
  resumeSession?: boolean | undefined;
  /** --no-config: ignore relay.config.json / package.json#relay. */
  noConfig?: boolean | undefined;
}

export interface AgentPlan {
  /** The command to run (undefined: the plain built-in agent, as without any of these flags). */
  command: string[] | undefined;
  workers: number | undefined;
  idleTimeoutMs: number | undefined;
  /** AgentExtension options without runId and cwd; undefined when no agent feature is on (the run is as before). */
  run: Omit<AgentExtensionOptions, 'runId' | 'cwd'> | undefined;
  /** For stderr once the run is under way: which config is in use and what it changes. */
  notice: string | undefined;
}

/** RELAY_NO_CONFIG=1 (any value but "", "0", "false") does what --no-config does, e.g. for CI. */
function configIgnored(f: AgentFlags, env: NodeJS.ProcessEnv): boolean {
  const v = env.RELAY_NO_CONFIG;
  return f.noConfig === true || (v !== undefined && v !== '' && v !== '0' && v !== 'false');
}

async function readConfig(f: AgentFlags, cwd: string, env: NodeJS.ProcessEnv): Promise<LoadedConfig> {
  const found = configIgnored(f, env) ? undefined : findConfig(cwd);
  // The schema (TypeBox) is loaded only when there is a config to check: it would slow every start.
  return found ? (await import('../agents/config.js')).checkConfig(found) : NO_CONFIG;
}

export async function planAgentFlags(f: AgentFlags, cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): Promise<AgentPlan> {
  const loaded = await readConfig(f, cwd, env);
  const { config, presets } = loaded;
  const d = config.defaults ?? {};
  // The config's default agent runs a task list given no command; an explicit command stays plain.
  const fromConfig = f.agent === undefined && f.command === undefined && f.taskList ? d.agent : undefined;
  const agentName = f.agent ?? fromConfig;
  const preset = agentName === undefined ? undefined : findPreset(agentName, presets);
  if (preset && !f.taskList) throw usageError(`--agent ${preset.name}: needs a task list (--tasks or --task): each task is the agent's prompt`);
  if (preset) checkInstalled(preset, env, cwd);
  const onInputText = f.onInput ?? d.onInput;
  const worktree = f.worktree ?? d.worktree ?? false;
  const keepWorktrees = f.keepWorktrees ?? d.keepWorktrees ?? false;
  if (f.keepWorktrees && !worktree) throw usageError('--keep-worktrees: needs --worktree');
  const resultsDir = f.results ?? d.results;
  if (f.resumeSession && !preset) throw usageError('--resume-session: needs --agent (it resumes the agent CLI\'s session)');
  // A preset without a resume form (gemini, aider, sim, the config's) retries afresh.
  const resume = f.resumeSession && preset ? resumeTemplate(preset, f.command) : undefined;
  const on = preset !== undefined || onInputText !== undefined || worktree || resultsDir !== undefined;
  return {
    notice: configNotice(loaded, Object.keys(BUILTIN_PRESETS), fromConfig),
    command: preset ? presetCommand(preset, f.command) : f.command,
    workers: f.workers ?? d.workers,
    idleTimeoutMs: f.idleTimeoutMs ?? (d.idleTimeout !== undefined ? parseDuration(d.idleTimeout) : undefined),
    run: on
      ? {
          events: preset?.events ?? 'none',
          ...(onInputText !== undefined ? { onInput: parseOnInput(onInputText) } : {}),
          worktree,
          keepWorktrees,
          ...(resultsDir !== undefined ? { resultsDir } : {}),
          ...(resume ? { resume } : {}),
        }
      : undefined,
  };
}
