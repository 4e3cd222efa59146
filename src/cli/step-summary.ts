// In GitHub Actions, $GITHUB_STEP_SUMMARY names a Markdown file shown on the run's page: at the
// end of a fanout, relay appends the same table `relay summary --format markdown` prints, built
// from the frames it observed.
import { appendFile } from 'node:fs/promises';
import type { RunView } from '../fanout/status.js';
import { SummaryBuilder } from '../summary/build.js';
import { formatMarkdown } from '../summary/format.js';

export interface StepSummary {
  /** Appends the table; a failure is a warning on stderr, never a failed run. */
  finish(): Promise<void>;
}

export function watchStepSummary(run: RunView, env: NodeJS.ProcessEnv, stderr: NodeJS.WritableStream): StepSummary | null {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return null;
  const builder = new SummaryBuilder();
  const unsubscribe = run.observe((f) => builder.add(f));
  return {
    async finish() {
      unsubscribe();
      try {
        await appendFile(file, formatMarkdown(builder.summary()) + '\n');
      } catch (err) {
        stderr.write(`relay: warning: cannot append to GITHUB_STEP_SUMMARY (${file}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
      }
    },
  };
}
