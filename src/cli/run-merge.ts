// `relay merge`: the engine's merge into the awaited FrameWriter on stdout. Errors go to the
// commands' shared edge (reportError: one line, or silence and 141 when the reader left).
import { mergeFrameFiles } from '../merge/merge.js';
import { FrameWriter } from '../writer/frame-writer.js';

export async function runMerge(paths: string[]): Promise<number> {
  const writer = new FrameWriter(process.stdout, { name: 'stdout' });
  try {
    const { missingShards } = await mergeFrameFiles(paths, writer);
    await writer.end();
    if (missingShards.length > 0) process.stderr.write(`relay: merge: shard${missingShards.length > 1 ? 's' : ''} ${missingShards.join(', ')} not given\n`);
    return 0;
  } catch (err) {
    writer.detach();
    // The writer's own failure (a closed pipe) is the cause of whatever the merge threw then.
    throw writer.error ?? err;
  }
}
