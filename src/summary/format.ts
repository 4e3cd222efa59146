// A RunSummary as text for a terminal or a log, or as a GitHub-flavoured Markdown table.
import { bytes, elapsed } from '../units.js';
import type { RunSummary, WorkerSummary } from './build.js';
import { safeText } from '../sanitize.js';

export type SummaryFormat = 'text' | 'markdown';

/** "exit 0", "exit 2", "SIGKILL", "could not start (127)", "no exit recorded". */
function detail(w: WorkerSummary): string {
  if (w.outcome === 'unfinished') return 'no exit recorded';
  if (w.outcome === 'spawn_error') return `could not start (${w.exitCode})${w.error ? `: ${w.error}` : ''}`;
  if (w.signal) return w.signal;
  return w.exitCode === null ? '' : `exit ${w.exitCode}`;
}

/** "3 workers: 1 ok, 2 failed" with every outcome that occurs. */
function tally(s: RunSummary): string {
  const byOutcome = new Map<string, number>();
  for (const w of s.workers) byOutcome.set(w.outcome, (byOutcome.get(w.outcome) ?? 0) + 1);
  const parts = [...byOutcome].map(([k, n]) => `${n} ${k}`);
  return `${s.workers.length} worker${s.workers.length === 1 ? '' : 's'}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

function headline(s: RunSummary): string {
  if (!s.finished) return `relay: run did not finish (the stream ends before run_finished); ${tally(s)}`;
  const f = s.finished;
  return `relay: ${f.ok ? 'ok' : 'failed'} (${f.reason}, exit ${f.exit_code}); ${tally(s)} in ${elapsed(f.duration_ms)}`;
}

export function formatText(s: RunSummary): string {
  const idWidth = Math.max(6, ...s.workers.map((w) => w.worker.length));
  const outWidth = Math.max(7, ...s.workers.map((w) => w.outcome.length));
  const rows = s.workers.map((w) =>
    `${w.worker.padEnd(idWidth)}  ${w.outcome.padEnd(outWidth)}  ${elapsed(w.durationMs ?? 0).padStart(7)}  ${bytes(w.bytes).padStart(9)}  ${detail(w)}`.trimEnd(),
  );
  const out = [headline(s), '', `${'worker'.padEnd(idWidth)}  ${'outcome'.padEnd(outWidth)}  ${'time'.padStart(7)}  ${'bytes'.padStart(9)}  detail`, ...rows];
  for (const w of s.workers) {
    if (w.lastLines.length === 0) continue;
    out.push('', `${w.worker} (${w.outcome}${detail(w) ? `, ${detail(w)}` : ''}), last lines:`, ...w.lastLines.map((l) => `  ${l}`));
  }
  return out.map(safeText).join('\n') + '\n';
}

const ICONS: Record<string, string> = { ok: '✅', failed: '❌', unfinished: '⏳', cancelled: '⏹️' };

/** Text for a table cell: pipes escaped, never spanning lines. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

/** A fence longer than any run of backticks in the text, so output cannot close it early. */
function fence(lines: string[]): string {
  const longest = Math.max(0, ...lines.map((l) => Math.max(0, ...(l.match(/`+/g) ?? []).map((m) => m.length))));
  return '`'.repeat(Math.max(3, longest + 1));
}

/** GitHub shows a step summary of at most 1 MiB; the table always fits, the last lines stop at this budget. */
const MARKDOWN_BUDGET = 512 * 1024;

export function formatMarkdown(s: RunSummary, budget = MARKDOWN_BUDGET): string {
  const out = [
    `### ${headline(s)}`,
    '',
    '| worker | outcome | detail | duration | bytes |',
    '| --- | --- | --- | ---: | ---: |',
    ...s.workers.map((w) => `| ${cell(w.worker)} | ${ICONS[w.outcome] ?? '⚠️'} ${cell(w.outcome)} | ${cell(detail(w))} | ${elapsed(w.durationMs ?? 0)} | ${bytes(w.bytes)} |`),
  ];
  let used = out.join('\n').length;
  const failed = s.workers.filter((w) => w.lastLines.length > 0);
  for (const [i, w] of failed.entries()) {
    const f = fence(w.lastLines);
    const block = ['', `<details><summary>${w.worker}: last ${w.lastLines.length} line${w.lastLines.length === 1 ? '' : 's'}</summary>`, '', `${f}text`, ...w.lastLines, f, '', '</details>'];
    used += block.join('\n').length;
    if (used > budget) {
      out.push('', `_The last lines of ${failed.length - i} more worker${failed.length - i === 1 ? '' : 's'} are left out to keep this summary small: see \`relay summary\`._`);
      break;
    }
    out.push(...block);
  }
  return out.map(safeText).join('\n') + '\n';
}

export function formatSummary(s: RunSummary, format: SummaryFormat): string {
  return format === 'markdown' ? formatMarkdown(s) : formatText(s);
}
