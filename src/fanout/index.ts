export { fanout, type FanoutRun, type RunResult, type WorkerResult } from './run.js';
export { agentCommand, DEFAULTS, type FanoutOptions } from './options.js';
export type { RunView, WorkerState, WorkerStatus } from './status.js';
export type { LineModeOptions } from '../lines/line-mode.js';
