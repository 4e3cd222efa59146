// Placeholders in a command's arguments, GNU parallel's convention:
//   {}   the task text          {#}  the task number (1-based, before --shard)
//   {id} the task id            {%}  the worker slot number (1..--workers)
// One pass per argument, so a task text that itself contains "{#}" is not expanded again.

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

const PLACEHOLDER = /\{(#|%|id)?\}/g;

/** True when any argument holds a placeholder. */
export function hasPlaceholder(argv: readonly string[]): boolean {
  return argv.some((arg) => /\{(#|%|id)?\}/.test(arg));
}

/**
 * Fills every placeholder. With a task text and no placeholder anywhere, the text is
 * appended as the last argument (so `relay fanout --task "fix it" -- agent` runs `agent "fix it"`).
 */
export function fillTemplate(argv: readonly string[], values: TemplateValues): string[] {
  const filled = argv.map((arg) =>
    arg.replace(PLACEHOLDER, (match, key: string | undefined) => {
      if (key === '#') return String(values.number);
      if (key === '%') return String(values.slot);
      if (key === 'id') return values.id;
      return values.text ?? match;
    }),
  );
  return values.text !== null && !hasPlaceholder(argv) ? [...filled, values.text] : filled;
}
