export { fanout, type FanoutRun, type RunResult } from './run.js';
export type { PipeOptions, PipeOutcome } from './pipe.js';
export type { RunExtension, AttemptExtension, AttemptExtensionContext } from './extension.js';
export { DEFAULTS, type FanoutOptions, type TaskInput } from './options.js';
export type { TaskRecord } from './outcomes.js';
export type { RunView, TaskProgress, TaskStatus, WorkerState, WorkerStatus } from './status.js';
export type { LineModeOptions } from '../lines/line-mode.js';
