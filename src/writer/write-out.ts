import { outputError } from '../errors.js';

const guarded = new WeakSet<NodeJS.WritableStream>();

/**
 * Writes text to stdout for commands whose output is not the frame stream (replay, summary),
 * resolving once it is handed to the OS — so a closed pipe (`| head`) becomes an
 * OUTPUT_CLOSED error here instead of an unhandled 'error' event later.
 */
export function writeOut(out: NodeJS.WritableStream, text: string, name = 'stdout'): Promise<void> {
  if (!guarded.has(out)) {
    guarded.add(out);
    out.on('error', () => {}); // reported through the write callback below
  }
  return new Promise((resolve, reject) => {
    try {
      out.write(text, (err) => (err ? reject(outputError(err, name)) : resolve()));
    } catch (err) {
      // stdout redirected to a file is a SyncWriteStream: a full disk (ENOSPC) throws right here.
      reject(outputError(err, name));
    }
  });
}
