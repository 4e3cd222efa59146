// `relay merge`: the engine's merge into the awaited FrameWriter on stdout.
import { mergeFrameFiles } from '../merge/merge.js';
import { FrameWriter } from '../writer/frame-writer.js';
import { exitCodeFor, oneLine } from './errors.js';

export async function runMerge(paths: string[]): Promise<number> {
  const writer = new FrameWriter(process.stdout);
  try {
    const { missingShards } = await mergeFrameFiles(paths, writer);
    await writer.end();
    if (missingShards.length > 0) process.stderr.write(`relay: merge: shard${missingShards.length > 1 ? 's' : ''} ${missingShards.join(', ')} not given\n`);
    return 0;
  } catch (err) {
    const error = writer.error ?? (err as Error);
    // The reader leaving is no error worth a line (as with fanout | head).
    if (writer.error?.code !== 'OUTPUT_CLOSED') process.stderr.write(`relay: ${oneLine(error.message)}\n`);
    writer.detach();
    return exitCodeFor(error);
  }
}
