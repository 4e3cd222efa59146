// GitHub Actions log groups for plain progress: each worker's final report becomes a collapsible
// `::group::` whose body is the last lines of its output. The body is the worker's own text, so
// it is fenced with `::stop-commands::` — a worker printing "::endgroup::" or "::add-mask::"
// cannot issue workflow commands through relay's log.
import { randomUUID } from 'node:crypto';
import type { Frame } from '../frames/types.js';
import { OutputTail } from '../lines/tail.js';
import { safeText } from '../sanitize.js';

const GROUP_LINES = 20;

export function inGithubActions(env: NodeJS.ProcessEnv): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

export class GithubGroups {
  private readonly tails = new Map<string, OutputTail>();

  /** Keeps the end of each worker's output. */
  add(frame: Frame): void {
    if (frame.type !== 'worker_stream' && frame.type !== 'worker_line') return;
    let tail = this.tails.get(frame.worker);
    if (!tail) this.tails.set(frame.worker, (tail = new OutputTail()));
    if (frame.type === 'worker_stream') tail.add(frame.data);
    else tail.addLine(frame.text);
  }

  /** `report` as a group title, the worker's last lines inside. */
  group(worker: string, report: string): string {
    const lines = this.tails.get(worker)?.lastLines(GROUP_LINES) ?? [];
    this.tails.delete(worker);
    const token = randomUUID();
    const body = lines.length > 0 ? [`::stop-commands::${token}`, ...lines.map(safeText), `::${token}::`] : [];
    return [`::group::${safeText(report)}`, ...body, '::endgroup::'].join('\n') + '\n';
  }
}
