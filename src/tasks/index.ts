export { implicitTasks, type Task } from './task.js';
export { buildTasks, taskFileSources, taskFlagSources, type TaskSource } from './parse.js';
export { parseShard, selectShard, type Shard } from './shard.js';
