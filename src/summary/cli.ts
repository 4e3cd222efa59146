import { cutOffWarning, eachFrame, inputName, openInput } from '../frames/input.js';
import { writeOut } from '../writer/write-out.js';
import { SummaryBuilder } from './build.js';
import { formatSummary, type SummaryFormat } from './format.js';

export interface SummarizeInputOptions {
  file: string;
  format: SummaryFormat;
  lastLines: number;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** `relay summary FILE`: read, summarise, print; a cut-off stream gets a warning on stderr. */
export async function summarizeInput(o: SummarizeInputOptions): Promise<void> {
  const builder = new SummaryBuilder({ lastLines: o.lastLines });
  const report = await eachFrame(await openInput(o.file), (f) => builder.add(f), inputName(o.file));
  const warning = cutOffWarning(o.file, report);
  if (warning) o.stderr.write(`relay: ${warning}\n`);
  await writeOut(o.stdout, formatSummary(builder.summary(), o.format));
}
