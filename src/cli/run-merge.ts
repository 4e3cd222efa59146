// `relay merge`: the engine's merge into the awaited FrameWriter on stdout. Errors go to the
// commands' shared edge (reportError: one line, or silence and 141 when the reader left).
import { mergeFrameFiles } from '../merge/merge.js';
import { FrameWriter } from '../writer/frame-writer.js';

export async function runMerge(paths: string[], allowPartial = false): Promise<number> {
  const writer = new FrameWriter(process.stdout, { name: 'stdout' });
  try {
    const { missingShards } = await mergeFrameFiles(paths, writer, { allowPartial });
    await writer.end();
    if (missingShards.length === 0) return 0;
    const which = `shard${missingShards.length > 1 ? 's' : ''} ${missingShards.join(', ')} not given`;
    if (allowPartial) {
      process.stderr.write(`relay: merge: ${which} (accepted: --allow-partial)\n`);
      return 0;
    }
    process.stderr.write(`relay: merge: ${which}: the merged run is not ok (--allow-partial accepts a partial set)\n`);
    return 1;
  } catch (err) {
    writer.detach();
    // The writer's own failure (a closed pipe) is the cause of whatever the merge threw then.
    throw writer.error ?? err;
  }
}
