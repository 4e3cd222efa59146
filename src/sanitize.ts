// Text that came from a worker (its output, its task's text and id, its error) on its way to a
// person's terminal, a CI log or a step summary: no control sequence of any kind survives.
//
// strip-ansi removes well-formed escape sequences, bodies included, but makes one pass: the
// leftovers of a nested or broken sequence (`ESC ESC[0m ]52;c;…BEL` → `ESC]52;c;…BEL`, a live
// clipboard write) are sequences again. So after it, every character that can start or end one
// goes too: C0 and DEL, C1 (U+0080–U+009F, the 8-bit CSI/OSC/DCS… forms), and the bidi controls
// that make a line read differently than it is (U+202A–202E, U+2066–2069, LRM/RLM/ALM), by their
// Unicode properties. What is left is printable text; a sequence's parameters show as plain text.
import stripAnsi from 'strip-ansi';

const CONTROLS = /[\p{Cc}\p{Bidi_Control}\u2028\u2029]/gu;

/** One line of worker-derived text, safe to print: tabs become spaces, every other control goes. */
export function safeText(text: string): string {
  return stripAnsi(text).replaceAll('\t', ' ').replace(CONTROLS, '');
}
