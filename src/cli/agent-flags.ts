// What issue 8's flags mean for one fanout, decided before anything is opened: the config file
// (relay.config.json or package.json#relay; flags win over its defaults), the --agent preset and
// its command, whether its program is installed, and the AgentExtension's options. Usage errors here are
// one line and exit 2, before anything reaches stdout.
import type { AgentExtensionOptions } from '../agents/extension.js';
import { loadConfig } from '../agents/config.js';
import { parseOnInput } from '../agents/on-input.js';
import { checkInstalled, findPreset, presetCommand } from '../agents/presets.js';
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
}

export interface AgentPlan {
  /** The command to run (undefined: the plain built-in agent, as without any of these flags). */
  command: string[] | undefined;
  workers: number | undefined;
  idleTimeoutMs: number | undefined;
  /** AgentExtension options without runId and cwd; undefined when no agent feature is on (the run is as before). */
  run: Omit<AgentExtensionOptions, 'runId' | 'cwd'> | undefined;
}

export function planAgentFlags(f: AgentFlags, cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): AgentPlan {
  const { config, presets } = loadConfig(cwd);
  const d = config.defaults ?? {};
  // The config's default agent runs a task list given no command; an explicit command stays plain.
  const agentName = f.agent ?? (f.command === undefined && f.taskList ? d.agent : undefined);
  const preset = agentName === undefined ? undefined : findPreset(agentName, presets);
  if (preset && !f.taskList) throw usageError(`--agent ${preset.name}: needs a task list (--tasks or --task): each task is the agent's prompt`);
  if (preset) checkInstalled(preset, env, cwd);
  const onInputText = f.onInput ?? d.onInput;
  const worktree = f.worktree ?? d.worktree ?? false;
  const keepWorktrees = f.keepWorktrees ?? d.keepWorktrees ?? false;
  if (f.keepWorktrees && !worktree) throw usageError('--keep-worktrees: needs --worktree');
  const resultsDir = f.results ?? d.results;
  const on = preset !== undefined || onInputText !== undefined || worktree || resultsDir !== undefined;
  return {
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
        }
      : undefined,
  };
}
