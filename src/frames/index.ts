export * from './types.js';
export { encodeFrame } from './encode.js';
export { frameError, isFrame } from './validate.js';
