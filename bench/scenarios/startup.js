// 5. Start-up: wall time of `relay --version` and `relay fanout --workers 1 -- true` against a
// bare `node -e 0`, alternated, RUNS times each (output to /dev/null). Targets: ratios of medians.
import { timeRun } from '../lib/proc.js';
import { summary } from '../lib/stats.js';
import { RELAY, ROOT, TOOLS } from '../lib/tools.js';

const TARGET = { version: 2, fanout: 3 };

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
  const node = commandsMs['node -e 0'].median;
  const versionRatio = commandsMs['relay --version'].median / node;
  const fanoutRatio = commandsMs['relay fanout -w 1 -- true'].median / node;
  log(`startup: --version ${versionRatio.toFixed(2)} × node (target ≤ ${TARGET.version}), fanout ${fanoutRatio.toFixed(2)} × node (target ≤ ${TARGET.fanout})`);
  return {
    runs, commands_ms: commandsMs,
    version_over_node: versionRatio,
    fanout_over_node: fanoutRatio,
    targets: { version_over_node: `≤ ${TARGET.version}`, fanout_over_node: `≤ ${TARGET.fanout}` },
    met_by: { version: versionRatio <= TARGET.version, fanout: fanoutRatio <= TARGET.fanout },
    met: versionRatio <= TARGET.version && fanoutRatio <= TARGET.fanout,
  };
}
