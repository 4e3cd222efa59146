export * from './types.js';
export { encodeFrame } from './encode.js';
export { readFrames, readFrameLines, validateFrame, FrameReadError, MAX_FRAME_LINE_BYTES, type ReadFramesOptions } from './read.js';
export { frameJsonSchema, FRAME_SCHEMA_ID } from './schema.js';
export * from './agent.js';
export { frameError, isFrame } from './validate.js';
