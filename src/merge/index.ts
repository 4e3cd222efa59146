export { mergeFrameFiles, type LineSink, type MergeResult } from './merge.js';
export { checkShardFile, readFrames, type ShardFile } from './read.js';
