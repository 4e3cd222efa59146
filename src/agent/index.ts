export { agentHelp, parseAgentArgs, type AgentOptions } from './options.js';
export { runAgent } from './run.js';
export { buildScript } from './script.js';
