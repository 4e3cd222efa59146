// relay/agents: agent-aware fanout: presets, config, agent event parsing, waiting-for-input policy,
// a git worktree per task, and the results folder. Engine-side: nothing here knows oclif.
export * from './events/index.js';
export { BUILTIN_PRESETS, DEFAULT_AGENT, findPreset, presetCommand, checkInstalled, type Preset } from './presets.js';
export { loadConfig, CONFIG_FILE, ConfigSchema, type RelayConfig, type LoadedConfig } from './config.js';
export { parseOnInput, decideOnInput, looksLikePrompt, lastScreenLine, DEFAULT_ON_INPUT, MAX_ANSWERS, type OnInputPolicy, type InputSignal, type InputAction, type InputState } from './on-input.js';
export { AgentSession, type AgentSessionOptions } from './session.js';
export { Worktrees, sweepWorktrees, repositoryRoot, parseShortstat, safeRefPart, BRANCH_PREFIX, type Worktree, type DiffStat, type WorktreesOptions } from './worktree.js';
export { ResultsWriter, TaskRecorder, plainScreen, plainScreenSink, plainText, MANIFEST, type Manifest, type ManifestTask, type TaskKey, type TaskOutcome, type ScreenFactory, type ScreenSink, type ResultsOptions } from './results.js';
export { AgentExtension, AgentTask, type AgentExtensionOptions, type TaskInfo, type TaskIo, type TaskEnd, type TaskExtras } from './extension.js';
