export { simHelp, parseSimArgs, type SimOptions } from './options.js';
export { runSim } from './run.js';
export { buildScript } from './script.js';
export { simCommand } from './command.js';
