export * from './types.js';
export { encodeFrame } from './encode.js';
export * from './agent.js';
