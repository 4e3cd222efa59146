import type { Frame } from './types.js';

// U+2028/U+2029 are legal in JSON but some line readers (Python's splitlines, old JS eval)
// treat them as line breaks; escaping them keeps "one frame per line" true for every reader.
const LINE_SEPARATORS = /[\u2028\u2029]/g;

// JSON.stringify writes a lone surrogate (half a UTF-16 pair, e.g. from a task's "\ud800") as
// the escape \ud800, which strict UTF-8 parsers reject; it never escapes a whole pair. Such an
// escape (after an even run of backslashes, so not the text "\\ud800") becomes U+FFFD, as a
// UTF-8 decoder would make it, in keys and values alike.
const LONE_SURROGATE = /(?<!\\)((?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/g;

/** Encode one frame as one NDJSON line (with its trailing "\n"): valid UTF-8, always. Pure: no I/O. */
export function encodeFrame(frame: Frame): string {
  let json = JSON.stringify(frame);
  if (json.includes('\\ud')) json = json.replace(LONE_SURROGATE, '$1\\ufffd');
  const safe = json.includes('\u2028') || json.includes('\u2029')
    ? json.replace(LINE_SEPARATORS, (c) => (c === '\u2028' ? '\\u2028' : '\\u2029'))
    : json;
  return safe + '\n';
}
