import type { Frame } from './types.js';

// U+2028/U+2029 are legal in JSON but some line readers (Python's splitlines, old JS eval)
// treat them as line breaks; escaping them keeps "one frame per line" true for every reader.
const LINE_SEPARATORS = /[\u2028\u2029]/g;

/** Encode one frame as one NDJSON line (with its trailing "\n"). Pure: no I/O. */
export function encodeFrame(frame: Frame): string {
  const json = JSON.stringify(frame);
  const safe = json.includes('\u2028') || json.includes('\u2029')
    ? json.replace(LINE_SEPARATORS, (c) => (c === '\u2028' ? '\\u2028' : '\\u2029'))
    : json;
  return safe + '\n';
}
