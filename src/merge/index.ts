export { mergeFrameFiles, type LineSink, type MergeResult } from './merge.js';
export { checkShardFile, shardFrames, type ShardFile } from './read.js';
