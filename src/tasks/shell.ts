// Where a placeholder sits in a script that a shell or an interpreter will parse: task text
// pasted there raw would be code. relay runs commands without a shell, so a placeholder that is
// a whole argument of an ordinary program is plain data; only these "code" arguments need care.
//
// The rule (docs/reliability.md, "Task text is never code"):
// - in the script of a POSIX shell (`sh -c SCRIPT`, bash, dash, zsh, ksh, …) a placeholder is
//   replaced by a shell-quoted value that is correct in the spot it sits in: unquoted,
//   inside '…' or inside "…" (and inside $(…) in any of these);
// - where no quoting is reliable (a comment, `…` backticks, ${…}, a here-document) and in the code
//   of other interpreters (python -c, node -e, fish -c, …) a placeholder is refused up front;
// - `{raw}` / `{raw:id}` paste the value as it is, for those who mean it to be code.

/** POSIX-family shells whose -c script relay can quote for. */
const POSIX_SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'ksh93', 'mksh', 'pdksh', 'ash', 'yash', 'posh', 'rbash']);

/** Interpreters whose code argument relay cannot quote for: the flag(s) that take code. */
const OTHER_INTERPRETERS: Record<string, RegExp> = {
  fish: /^-[A-Za-z]*c$|^--command(=|$)/,
  csh: /^-[A-Za-z]*c$/, tcsh: /^-[A-Za-z]*c$/, pwsh: /^-(c|command)$/i, powershell: /^-(c|command)$/i,
  python: /^-[A-Za-z]*c$/, node: /^(-e|-p|--eval|--print)$/, perl: /^-[A-Za-z]*[eE]$/, ruby: /^-[A-Za-z]*e$/,
  php: /^-r$/, lua: /^-e$/, Rscript: /^-e$/, osascript: /^-e$/,
};

export type CodeKind = 'posix' | 'other';

/** "python3.12" → "python"; "/usr/bin/bash" → "bash". */
function programName(arg: string): string {
  const base = arg.slice(arg.lastIndexOf('/') + 1);
  return base.replace(/^(python|pypy|ruby|perl|lua|php|node)[\d.]*$/, '$1');
}

/** Options of shells and interpreters that take a value, so that value is not taken for a script file. */
const TAKES_VALUE = new Set(['-o', '+o', '-O', '+O', '--rcfile', '--init-file', '-W', '-X', '-r', '--require', '--import', '--loader', '-I']);

/**
 * Which arguments are code, by index: for each shell or interpreter in argv (also behind
 * wrappers such as `env`, `nice`, `timeout`, `docker exec c`), the argument after its
 * code flag (`-c`, `-lc`, `-e`…), among the options before its script file.
 */
export function codeArguments(argv: readonly string[]): Map<number, { kind: CodeKind; program: string }> {
  const code = new Map<number, { kind: CodeKind; program: string }>();
  let program: string | undefined;
  for (let i = 0; i < argv.length - 1; i++) {
    const arg = argv[i]!;
    const name = programName(arg);
    if (program === undefined) {
      if (POSIX_SHELLS.has(name) || name in OTHER_INTERPRETERS) program = name;
      continue;
    }
    const posix = POSIX_SHELLS.has(program);
    if ((posix ? /^-[A-Za-z]*c[A-Za-z]*$/ : OTHER_INTERPRETERS[program]!).test(arg)) {
      code.set(i + 1, { kind: posix ? 'posix' : 'other', program });
      program = undefined;
    } else if (TAKES_VALUE.has(arg)) i++;
    else if (!/^[-+]/.test(arg)) program = undefined; // a script file: what follows is its own arguments
  }
  return code;
}

/** How a value must be written at a spot in a POSIX shell script; `refuse` says why not. */
export type ShellContext = 'plain' | 'single' | 'double' | { refuse: string };

/** '…' with every ' as '\'' — correct unquoted and inside $(…). */
export function singleQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The value written for its context, so that the shell reads it back byte for byte. */
export function quoteFor(context: 'plain' | 'single' | 'double', value: string): string {
  if (context === 'single') return value.replaceAll("'", `'\\''`); // close, escaped quote, reopen
  if (context === 'double') return `"${singleQuote(value)}"`; // close the "…", quote, reopen
  return singleQuote(value);
}

type Frame = 'plain' | 'double' | 'subst' | 'brace' | 'backtick';

const REFUSED: Partial<Record<Frame, string>> = { brace: 'inside ${…}', backtick: 'inside `…` (use $(…))' };

/** One character of a script (not inside '…'): the frame it opens or closes, and how far it reaches. */
function step(script: string, i: number, top: Frame, stack: Frame[]): { skip?: number; single?: boolean; refuse?: string } {
  const c = script[i]!;
  const two = script.slice(i, i + 2);
  if (c === '\\') return { skip: 1 };
  if (top === 'brace' || top === 'backtick') {
    if ((top === 'brace' && c === '}') || (top === 'backtick' && c === '`')) stack.pop();
    else if (two === '${') return (stack.push('brace'), { skip: 1 });
    return {};
  }
  if (two === '${') return (stack.push('brace'), { skip: 1 });
  if (two === '$(') return (stack.push('subst'), { skip: 1 });
  if (c === '`') return (stack.push('backtick'), {});
  if (top === 'double') return (c === '"' && stack.pop(), {});
  if (c === "'") return { single: true };
  if (c === '"') stack.push('double');
  else if (c === '(' && top === 'subst') stack.push('subst');
  else if (c === ')' && top === 'subst') stack.pop();
  else if (c === '#' && (i === 0 || /[\s;&|()]/.test(script[i - 1]!))) {
    const end = script.indexOf('\n', i);
    return { skip: (end === -1 ? script.length : end) - i - 1, refuse: 'in a comment' };
  } else if (two === '<<' && script[i + 2] !== '<') return { refuse: 'after a here-document (<<)' };
  return {};
}

/**
 * The quoting context at each of `offsets` (ascending) in a POSIX shell script. A small lexer:
 * quotes, backslashes, $(…) nesting, and the spots where no quoting is reliable.
 */
export function shellContexts(script: string, offsets: readonly number[]): ShellContext[] {
  const out: ShellContext[] = [];
  const stack: Frame[] = ['plain'];
  let single = false;
  let refuse: string | undefined; // from here on (a here-document, or a comment holding a placeholder)
  let next = 0;
  const at = (i: number, reason?: string): void => {
    for (; next < offsets.length && offsets[next]! <= i; next++) {
      const top = stack.at(-1)!;
      const why = reason ?? refuse ?? REFUSED[top];
      out.push(why ? { refuse: why } : single ? 'single' : top === 'double' ? 'double' : 'plain');
    }
  };
  for (let i = 0; i < script.length && next < offsets.length; i++) {
    at(i);
    if (single) {
      single = script[i] !== "'";
      continue;
    }
    const r = step(script, i, stack.at(-1)!, stack);
    if (r.refuse === 'in a comment') at(i + (r.skip ?? 0) + 1, r.refuse);
    else if (r.refuse) refuse = r.refuse;
    if (r.single) single = true;
    i += r.skip ?? 0;
  }
  at(Number.MAX_SAFE_INTEGER);
  return out;
}
