// 5. Start-up: wall time of `relay --version` and `relay fanout --workers 1 -- true` against a
// bare `node -e 0`, alternated, RUNS times each.
import { timeRun } from '../lib/proc.js';
import { summary } from '../lib/stats.js';
import { RELAY, ROOT, TOOLS } from '../lib/tools.js';

const TARGET_RATIO = 3;

export async function startup({ runs }, log) {
  const commands = {
    'node -e 0': [process.execPath, '-e', '0'],
    'relay --version': [...RELAY, '--version'],
    'relay fanout -w 1 -- true': [...TOOLS.relay.cmd(1, ['true'])],
    'baseline -w 1 -- true': [...TOOLS.baseline.cmd(1, ['true'])],
  };
  const ms = {};
  for (let r = 0; r < runs; r++) {
    for (const [name, cmd] of Object.entries(commands)) {
      const { code, ms: t } = await timeRun(cmd, ROOT);
      if (code !== 0) log(`startup ${name}: exit ${code}`);
      (ms[name] ??= []).push(t);
    }
  }
  const commandsMs = Object.fromEntries(Object.entries(ms).map(([name, v]) => [name, summary(v)]));
  log(`startup: ${Object.entries(commandsMs).map(([n, s]) => `${n} ${s.median.toFixed(0)} ms`).join(', ')}`);
  const ratio = commandsMs['relay --version'].median / commandsMs['node -e 0'].median;
  return {
    runs, commands_ms: commandsMs,
    version_over_node: ratio,
    fanout_over_node: commandsMs['relay fanout -w 1 -- true'].median / commandsMs['node -e 0'].median,
    target: `relay --version < ${TARGET_RATIO}x node -e 0`,
    met: ratio < TARGET_RATIO,
  };
}
