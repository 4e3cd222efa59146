// Placeholders in a command's arguments, GNU parallel's convention:
//   {}   the task text          {#}  the task number (1-based, before --shard)
//   {id} the task id            {%}  the worker slot number (1..--workers)
//   {raw} / {raw:id}  the text / id pasted as they are, even into a shell script
// One pass per argument, so a task text that itself contains "{#}" is not expanded again.
//
// Task text is data, never code: relay runs commands without a shell, so an ordinary argument
// carries it byte for byte; inside a shell's -c script {} and {id} are shell-quoted for the spot
// they sit in, and where that cannot be done reliably the command is refused (src/tasks/shell.ts).
import { usageError } from '../errors.js';
import { codeArguments, quoteFor, shellContexts, type ShellContext } from './shell.js';

export interface TemplateValues {
  /** {#} */
  number: number;
  /** {id} */
  id: string;
  /** {}; null leaves "{}" untouched (runs without a task list). */
  text: string | null;
  /** {%} */
  slot: number;
}

const PLACEHOLDER = /\{(#|%|id|raw|raw:id)?\}/g;
/** The placeholders whose values come from the task list (the others are numbers). */
const TEXTUAL = new Set(['', 'id']);

/** True when any argument holds a placeholder. */
export function hasPlaceholder(argv: readonly string[]): boolean {
  return argv.some((arg) => new RegExp(PLACEHOLDER.source).test(arg));
}

/** With a task text and no placeholder anywhere, the text goes last, as if the command ended in {}. */
function withText(argv: readonly string[], text: boolean): readonly string[] {
  return text && !hasPlaceholder(argv) ? [...argv, '{}'] : argv;
}

interface Spot {
  key: string;
  offset: number;
}

function spots(arg: string): Spot[] {
  return [...arg.matchAll(PLACEHOLDER)].map((m) => ({ key: m[1] ?? '', offset: m.index }));
}

/** The quoting context of each placeholder of a POSIX shell script, or null for plain arguments. */
function contextsOf(argv: readonly string[]): Map<number, ShellContext[]> {
  const out = new Map<number, ShellContext[]>();
  for (const [index, code] of codeArguments(argv)) {
    const arg = argv[index]!;
    const found = spots(arg);
    if (found.length === 0) continue;
    const textual = found.filter((s) => TEXTUAL.has(s.key));
    if (code.kind === 'other' && textual.length > 0) {
      throw usageError(`command: {${textual[0]!.key}} in ${code.program}'s code (argument ${index + 1}): relay quotes task text only for POSIX shells (sh, bash, zsh…); pass it as an argument or read $RELAY_TASK, or write {raw} to paste it as code`);
    }
    if (code.kind === 'posix') out.set(index, shellContexts(arg, found.map((s) => s.offset)));
  }
  return out;
}

/**
 * Refuses, as a usage error, a command whose task placeholders sit where no quoting is reliable
 * (see src/tasks/shell.ts). Checked once, before anything runs: the spots do not depend on the task.
 */
export function checkTemplate(argv: readonly string[], taskList: boolean): void {
  const full = withText(argv, taskList);
  for (const [index, contexts] of contextsOf(full)) {
    const found = spots(full[index]!);
    contexts.forEach((context, i) => {
      if (typeof context === 'object' && TEXTUAL.has(found[i]!.key)) {
        throw usageError(`command: {${found[i]!.key}} ${context.refuse} in the shell script (argument ${index + 1}) cannot be quoted safely; pass the task as an argument ("$1") or read "$RELAY_TASK", or write {raw} to paste it as code`);
      }
    });
  }
}

function value(key: string, values: TemplateValues): string | null {
  if (key === '#') return String(values.number);
  if (key === '%') return String(values.slot);
  if (key === 'id' || key === 'raw:id') return values.id;
  return values.text;
}

/** Fills every placeholder; {} and {id} in a shell script are quoted for the spot they sit in. */
export function fillTemplate(argv: readonly string[], values: TemplateValues): string[] {
  const full = withText(argv, values.text !== null);
  const contexts = contextsOf(full);
  return full.map((arg, index) => {
    const spotContexts = contexts.get(index);
    let n = 0;
    return arg.replace(PLACEHOLDER, (match, key: string | undefined) => {
      const context = spotContexts?.[n++];
      const v = value(key ?? '', values);
      if (v === null) return match;
      if (!context || !TEXTUAL.has(key ?? '')) return v;
      if (typeof context === 'object') throw usageError(`command: {${key ?? ''}} ${context.refuse} cannot be quoted safely`);
      return quoteFor(context, v);
    });
  });
}
