import { once } from 'node:events';

/**
 * Reads one line typed on `input` (its terminal, in canonical mode: a line arrives when Enter
 * is pressed). Resolves null when input ends or `timeoutMs` (> 0) passes first. Leaves the
 * stream paused so that it does not keep the process alive.
 */
export async function readAnswer(input: NodeJS.ReadableStream, timeoutMs: number): Promise<string | null> {
  const ac = new AbortController();
  let seen = '';
  const onData = (chunk: Buffer | string): void => {
    seen += chunk.toString();
    if (/[\r\n]/.test(seen)) ac.abort();
  };
  const timer = timeoutMs > 0 ? setTimeout(() => ac.abort(), timeoutMs) : undefined;
  input.on('data', onData);
  input.resume();
  try {
    await once(input, 'end', { signal: ac.signal });
    return null; // input ended without a line
  } catch {
    const m = /^([^\r\n]*)[\r\n]/.exec(seen);
    return m ? m[1]! : null;
  } finally {
    clearTimeout(timer);
    input.off('data', onData);
    input.pause();
  }
}
