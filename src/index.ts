// relay's engine as a library, with no oclif or listr2 in it. Named exports only: what is here is
// the supported surface (agent-aware runs are in 'relay/agents').
//
//   import { fanout, simCommand } from 'relay';
//   const run = fanout({ workers: 3, command: ['bash', '-c', 'echo hi from {#}'] });
//   const { exitCode } = await run.pipeTo(process.stdout);   // or: for await (const frame of run) …

// Running
export { fanout, DEFAULTS } from './fanout/index.js';
export type { FanoutOptions, FanoutRun, RunResult, TaskInput, TaskRecord, LineModeOptions } from './fanout/index.js';
export type { RunView, TaskProgress, TaskStatus, WorkerState, WorkerStatus } from './fanout/index.js';
export type { PipeOptions, PipeOutcome } from './fanout/pipe.js';
export type { RunExtension, AttemptExtension, AttemptExtensionContext, AttemptSpec, ExitExtras } from './fanout/extension.js';
export type { Attempt } from './fanout/attempt.js';
export { simCommand } from './sim/command.js';
export { parseShard, type Shard, type Task } from './tasks/index.js';
export type { PtySpawner, PtySpawnOptions, PtyProcess, PtyExit } from './pty/pty.js';
export type { Timers } from './timers.js';

// Frames: types, encoding, reading back, the schema
export { PROTOCOL_VERSION, encodeFrame, readFrames, validateFrame, FrameReadError, frameJsonSchema, FRAME_SCHEMA_ID, isFrame } from './frames/index.js';
export type { ReadFramesOptions } from './frames/index.js';
export type {
  Frame, FrameType, FrameBody, RunStarted, WorkerStarted, WorkerStream, WorkerLine, WorkerIdle, WorkerExited, RunFinished, AgentEvent, Operator,
  WorkerReason, RunEnd, OutcomeCounts, FailedTaskInfo, SlowTaskInfo, AgentTotals, AgentTokens, AgentEventKind, WorktreeInfo,
} from './frames/index.js';

// Writing, merging, lines, summaries
export { FrameWriter, type FrameWriterOptions, DEFAULT_HIGH_WATER_MARK } from './writer/frame-writer.js';
export { mergeFrameFiles, type LineSink, type MergeResult } from './merge/index.js';
export { LineAssembler, toLines, type LineAssemblerOptions } from './lines/assembler.js';
export { SummaryBuilder, summarizeFrames, type RunSummary, type TaskSummary, type SummaryOptions } from './summary/build.js';
export { formatMarkdown, formatText, type SummaryFormat } from './summary/format.js';

// Errors, exit codes and version
export { RelayError, type RelayErrorCode, type RelayErrorDetails } from './errors.js';
export { EXIT_CODES, EXIT, ERROR_EXIT_CODES, STOP_EXIT_CODES, type ExitName, type ExitCodeEntry } from './exit-codes.js';
export { VERSION } from './version.js';
