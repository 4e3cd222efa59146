// What relay does when a worker's agent waits for input (--on-input). Pure: the caller (the
// fanout) reports what it saw — an awaiting_input event the agent reported, or an idle worker
// whose screen ends in a prompt — and performs the action returned.
import stripAnsi from 'strip-ansi';
import { usageError } from '../errors.js';

export type OnInputPolicy =
  | { policy: 'fail' } // stop the worker; its task counts as failed
  | { policy: 'answer'; text: string } // type TEXT and Enter into its terminal, once per question
  | { policy: 'wait' }; // report it and leave it waiting (until --timeout, Ctrl-C, or forever)

export const DEFAULT_ON_INPUT: OnInputPolicy = { policy: 'fail' };

/**
 * `fail`, `wait`, `answer:TEXT` or `answer=TEXT`: the option onInput's value, or the config's
 * (then `where` names its file and key instead of the option).
 */
export function parseOnInput(value: string, where?: string): OnInputPolicy {
  if (value === 'fail' || value === 'wait') return { policy: value };
  const m = /^answer[:=]([\s\S]*)$/.exec(value);
  if (m) return { policy: 'answer', text: m[1]! };
  const reason = `expected fail, wait or answer:TEXT, got "${value}"`;
  throw where === undefined ? usageError(reason, { option: 'onInput', value }) : usageError(`${where}: ${reason}`, { value });
}

/** How relay learnt that a worker waits for input. */
export type InputSignal =
  | { source: 'reported'; question?: string } // an awaiting_input event from the agent
  | { source: 'inferred'; screenTail: string }; // idle for --idle-timeout, and its screen ends in a prompt

export type InputAction =
  | { action: 'fail'; reason: string }
  | { action: 'answer'; input: string }
  | { action: 'wait' }
  | { action: 'none' }; // idle, but nothing looks like a question: leave it to idle detection

/** Answers already given to this worker: an agent that asks again after an answer gets no second one. */
export interface InputState {
  answered: number;
}

/** Most answers a worker gets before a question counts as a loop and the worker as failed. */
export const MAX_ANSWERS = 3;

export function decideOnInput(policy: OnInputPolicy, signal: InputSignal, state: InputState = { answered: 0 }): InputAction {
  if (signal.source === 'inferred' && !looksLikePrompt(signal.screenTail)) return { action: 'none' };
  const what = signal.source === 'reported' ? 'asked for input' : 'seems to wait for input (idle at a prompt)';
  switch (policy.policy) {
    case 'wait':
      return { action: 'wait' };
    case 'fail':
      return { action: 'fail', reason: `the agent ${what}` };
    case 'answer':
      if (state.answered >= MAX_ANSWERS) return { action: 'fail', reason: `the agent ${what} again after ${state.answered} answers` };
      // Carriage return, as the Enter key sends it; the terminal turns it into "\n" for the program.
      return { action: 'answer', input: `${policy.text}\r` };
  }
}

// What the end of a screen looks like when a program waits for a line: a question mark, a
// shell-like or REPL prompt, a yes/no choice, or "press enter". Checked on the last non-empty
// line only, after colour is stripped and redrawn lines are resolved.
const PROMPT_PATTERNS: RegExp[] = [
  /\?\s*$/, // "Proceed? " / "Which file?"
  /[>❯›»]\s*$/, // "> ", "❯ "
  /[:：]\s+$/, // "Password: ", "Enter a name: " (a colon followed by a space, as prompts are typed)
  /[([]\s*[yY](?:es)?\s*\/\s*[nN]o?\s*[)\]]\s*[:?]?\s*$/, // (y/n) [Y/n] (yes/no)
  /press (?:enter|return|any key)/i,
];

/** The text of the last non-empty line a terminal would show for `tail`. */
export function lastScreenLine(tail: string): string {
  const lines = stripAnsi(tail).split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.replace(/\r$/, '');
    const shown = line.slice(line.lastIndexOf('\r') + 1);
    if (shown.trim() !== '') return shown;
  }
  return '';
}

/** Heuristic: does the screen end in something that waits for a typed answer? */
export function looksLikePrompt(tail: string): boolean {
  const line = lastScreenLine(tail);
  return line !== '' && PROMPT_PATTERNS.some((p) => p.test(line));
}
