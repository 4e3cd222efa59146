// A RunSummary as text for a terminal or a log, or as a GitHub-flavoured Markdown table.
import { bytes, elapsed } from '../units.js';
import type { RunSummary, TaskSummary } from './build.js';
import { safeText } from '../sanitize.js';

export type SummaryFormat = 'text' | 'markdown';

/** "exit 0", "exit 2", "SIGKILL", "could not start (127)", "no exit recorded". */
function detail(w: TaskSummary): string {
  if (w.outcome === 'unfinished') return 'no exit recorded';
  if (w.outcome === 'not_started') return 'never started';
  if (w.outcome === 'skipped') return 'succeeded in the run resumed from';
  if (w.outcome === 'spawn_error') return `could not start (${w.exitCode})${w.error ? `: ${w.error}` : ''}`;
  if (w.signal) return w.signal;
  return w.exitCode === null ? '' : `exit ${w.exitCode}`;
}

/** "20 tasks: 18 ok, 2 failed, 23 attempts" with every outcome that occurs, as relay's own last line counts them. */
function tally(s: RunSummary): string {
  const byOutcome = new Map<string, number>();
  for (const t of s.tasks) byOutcome.set(t.outcome, (byOutcome.get(t.outcome) ?? 0) + 1);
  const parts = [...byOutcome].map(([k, n]) => `${n} ${k.replace('_', ' ')}`);
  const attempts = s.tasks.reduce((n, t) => n + t.attempts, 0);
  const retried = attempts > s.tasks.filter((t) => t.attempts > 0).length ? `, ${attempts} attempts` : '';
  return `${s.tasks.length} task${s.tasks.length === 1 ? '' : 's'}${parts.length ? `: ${parts.join(', ')}` : ''}${retried}`;
}

/** "#3", "#3 fix-login": how a task is named (its id only when it has one of its own). */
function label(t: TaskSummary): string {
  if (t.task === Number.MAX_SAFE_INTEGER) return t.id;
  return t.id === String(t.task) ? `#${t.task}` : `#${t.task} ${t.id}`;
}

function headline(s: RunSummary): string {
  if (!s.finished) return `relay: run did not finish (the stream ends before run_finished); ${tally(s)}`;
  const f = s.finished;
  return `relay: ${f.ok ? 'ok' : 'failed'} (${f.reason}, exit ${f.exit_code}); ${tally(s)} in ${elapsed(f.duration_ms)}`;
}

export function formatText(s: RunSummary): string {
  const taskWidth = Math.max(4, ...s.tasks.map((t) => label(t).length));
  const outWidth = Math.max(7, ...s.tasks.map((t) => t.outcome.length));
  const rows = s.tasks.map((t) =>
    `${label(t).padEnd(taskWidth)}  ${(t.worker ?? '-').padEnd(6)}  ${t.outcome.padEnd(outWidth)}  ${String(t.attempts).padStart(8)}  ${(t.durationMs === null ? '-' : elapsed(t.durationMs)).padStart(7)}  ${bytes(t.bytes).padStart(9)}  ${detail(t)}`.trimEnd(),
  );
  const header = `${'task'.padEnd(taskWidth)}  ${'worker'.padEnd(6)}  ${'outcome'.padEnd(outWidth)}  ${'attempts'.padStart(8)}  ${'time'.padStart(7)}  ${'bytes'.padStart(9)}  detail`;
  const out = [headline(s), '', header, ...rows];
  for (const t of s.tasks) {
    if (t.lastLines.length === 0) continue;
    out.push('', `${label(t)} on ${t.worker} (${t.outcome}${detail(t) ? `, ${detail(t)}` : ''}, attempt ${t.attempts}), last lines:`, ...t.lastLines.map((l) => `  ${l}`));
  }
  return out.map(safeText).join('\n') + '\n';
}

const ICONS: Record<string, string> = { ok: '✅', failed: '❌', unfinished: '⏳', cancelled: '⏹️', not_started: '⏸️', skipped: '⏭️' };

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
    '| task | worker | outcome | detail | attempts | duration | bytes |',
    '| --- | --- | --- | --- | ---: | ---: | ---: |',
    ...s.tasks.map((t) => `| ${cell(label(t))} | ${cell(t.worker ?? '-')} | ${ICONS[t.outcome] ?? '⚠️'} ${cell(t.outcome)} | ${cell(detail(t))} | ${t.attempts} | ${t.durationMs === null ? '-' : elapsed(t.durationMs)} | ${bytes(t.bytes)} |`),
  ];
  let used = out.join('\n').length;
  const failed = s.tasks.filter((t) => t.lastLines.length > 0);
  for (const [i, t] of failed.entries()) {
    const f = fence(t.lastLines);
    const block = ['', `<details><summary>${cell(label(t))}: last ${t.lastLines.length} line${t.lastLines.length === 1 ? '' : 's'}</summary>`, '', `${f}text`, ...t.lastLines, f, '', '</details>'];
    used += block.join('\n').length;
    if (used > budget) {
      out.push('', `_The last lines of ${failed.length - i} more task${failed.length - i === 1 ? '' : 's'} are left out to keep this summary small: see \`relay summary\`._`);
      break;
    }
    out.push(...block);
  }
  return out.map(safeText).join('\n') + '\n';
}

export function formatSummary(s: RunSummary, format: SummaryFormat): string {
  return format === 'markdown' ? formatMarkdown(s) : formatText(s);
}
