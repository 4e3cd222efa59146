/** Placeholders a command's arguments may contain, filled in per worker. */
export interface TemplateValues {
  /** {#}: the worker's number, 1-based. */
  index: number;
}

/** Replaces every `{#}` in every argument; other braces are left alone. */
export function fillTemplate(argv: readonly string[], values: TemplateValues): string[] {
  const index = String(values.index);
  return argv.map((arg) => arg.replaceAll('{#}', index));
}
