// The engine, usable without oclif or listr2:
//   import { fanout, encodeFrame } from 'relay';
//   const run = fanout({ workers: 3, command: ['bash', '-c', 'echo hi from {#}'] });
//   for await (const frame of run) console.log(encodeFrame(frame).trimEnd());
//   const result = await run.result;
export * from './fanout/index.js';
export * from './frames/index.js';
export { mergeFrameFiles, type LineSink, type MergeResult } from './merge/index.js';
export { parseShard, type Shard, type Task } from './tasks/index.js';
export { FrameWriter, type FrameWriterOptions, DEFAULT_HIGH_WATER_MARK } from './writer/frame-writer.js';
export { RelayError, type RelayErrorCode } from './errors.js';
export type { PtySpawner, PtySpawnOptions, PtyProcess, PtyExit } from './pty/pty.js';
export type { Timers } from './timers.js';
export { VERSION } from './version.js';
export { LineAssembler, toLines, type LineAssemblerOptions } from './lines/assembler.js';
export { SummaryBuilder, summarizeFrames, type RunSummary, type WorkerSummary, type SummaryOptions } from './summary/build.js';
export { formatMarkdown, formatText, type SummaryFormat } from './summary/format.js';
