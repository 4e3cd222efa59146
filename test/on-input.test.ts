import { describe, expect, it } from 'vitest';
import { decideOnInput, lastScreenLine, looksLikePrompt, MAX_ANSWERS, parseOnInput } from '../src/agents/on-input.js';
import { RelayError } from '../src/errors.js';

describe('--on-input values', () => {
  it('parses fail, wait and answer:TEXT (or answer=TEXT), keeping the text exactly', () => {
    expect(parseOnInput('fail')).toEqual({ policy: 'fail' });
    expect(parseOnInput('wait')).toEqual({ policy: 'wait' });
    expect(parseOnInput('answer:yes')).toEqual({ policy: 'answer', text: 'yes' });
    expect(parseOnInput('answer=use postgres: v16')).toEqual({ policy: 'answer', text: 'use postgres: v16' });
    expect(parseOnInput('answer:')).toEqual({ policy: 'answer', text: '' });
  });

  it('rejects anything else as a usage error naming the flag and the value', () => {
    expect(() => parseOnInput('answer')).toThrow(RelayError);
    expect(() => parseOnInput('skip')).toThrow('onInput: expected fail, wait or answer:TEXT, got "skip"');
  });
});

describe('the waiting-for-input policy', () => {
  const reported = { source: 'reported', question: 'Which database?' } as const;
  const atPrompt = { source: 'inferred', screenTail: 'Done reading.\r\n\x1b[1mOverwrite src/app.ts? [y/N] \x1b[0m' } as const;
  const busy = { source: 'inferred', screenTail: 'compiling 14 files\r\n' } as const;

  it('fail: a reported question or an idle prompt fails the worker, saying which', () => {
    expect(decideOnInput({ policy: 'fail' }, reported)).toEqual({ action: 'fail', reason: 'the agent asked for input' });
    expect(decideOnInput({ policy: 'fail' }, atPrompt)).toEqual({ action: 'fail', reason: 'the agent seems to wait for input (idle at a prompt)' });
  });

  it('answer: types the text and Enter, and fails after repeated questions instead of looping', () => {
    expect(decideOnInput({ policy: 'answer', text: 'y' }, atPrompt)).toEqual({ action: 'answer', input: 'y\r' });
    expect(decideOnInput({ policy: 'answer', text: 'postgres' }, reported, { answered: MAX_ANSWERS - 1 })).toEqual({ action: 'answer', input: 'postgres\r' });
    expect(decideOnInput({ policy: 'answer', text: 'postgres' }, reported, { answered: MAX_ANSWERS })).toEqual({
      action: 'fail',
      reason: `the agent asked for input again after ${MAX_ANSWERS} answers`,
    });
  });

  it('wait: reports and leaves the worker waiting', () => {
    expect(decideOnInput({ policy: 'wait' }, reported)).toEqual({ action: 'wait' });
    expect(decideOnInput({ policy: 'wait' }, atPrompt)).toEqual({ action: 'wait' });
  });

  it('does nothing about an idle worker whose screen does not end in a prompt, whatever the policy', () => {
    for (const policy of [{ policy: 'fail' }, { policy: 'wait' }, { policy: 'answer', text: 'y' }] as const) {
      expect(decideOnInput(policy, busy)).toEqual({ action: 'none' });
    }
  });
});

describe('prompt-looking screens', () => {
  it.each([
    ['a question', 'Which file should I edit? '],
    ['a question without a trailing space', 'Continue?'],
    ['a > prompt', 'output line\n> '],
    ['a ❯ prompt', '❯ '],
    ['(y/n)', 'Delete 3 files (y/n) '],
    ['[Y/n]', 'Apply patch [Y/n]: '],
    ['(yes/no)', 'Are you sure you want to continue connecting (yes/no/[fingerprint])? '],
    ['a colon prompt', 'Password: '],
    ['press enter', 'Press Enter to continue'],
    ['a coloured prompt after a spinner redraw', '\r⠋ Thinking…\r\x1b[2K\x1b[32m?\x1b[0m \x1b[1mProceed?\x1b[0m '],
    ['a prompt followed by blank lines, as a terminal shows "\\r\\n"', 'Proceed? (y/n)\r\n\r\n'],
  ])('recognises %s', (_name, tail) => {
    expect(looksLikePrompt(tail)).toBe(true);
  });

  it.each([
    ['plain progress', 'Running 14 tests\r\n'],
    ['a spinner', '\r⠋ Thinking…'],
    ['a log line ending in a colon with no space', 'Changes:'],
    ['a finished summary', '✓ Done: 3 tool calls\r\n'],
    ['an empty screen', ''],
    ['only colour codes', '\x1b[0m\x1b[2K'],
  ])('does not mistake %s for a prompt', (_name, tail) => {
    expect(looksLikePrompt(tail)).toBe(false);
  });

  it('reads the last visible line: colour stripped, redrawn text replaced', () => {
    expect(lastScreenLine('first\r\nold text\rnew \x1b[1mtext\x1b[0m\r\n')).toBe('new text');
  });
});
