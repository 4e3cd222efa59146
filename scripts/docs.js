// Writes the generated parts of the Markdown docs from the code (run by `npm run build`): the
// exit-code table of src/exit-codes.ts between `<!-- exit-codes:begin … -->` and
// `<!-- exit-codes:end -->` in each file below. `--check` fails, changing nothing, when a copy
// differs from what the code says (test/exit-codes.test.ts runs the same comparison).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { exitCodesMarkdown } from '../dist/exit-codes.js';

export const GENERATED_FILES = ['README.md', 'docs/frames.md', 'docs/reliability.md'];

const BLOCK = /(<!-- exit-codes:begin[^>]*-->\n)[\s\S]*?(\n<!-- exit-codes:end -->)/g;

/** `text` with every exit-codes block regenerated; throws when it has none. */
export function regenerate(text, file) {
  if (!BLOCK.test(text)) throw new Error(`${file}: no <!-- exit-codes:begin --> … <!-- exit-codes:end --> block`);
  BLOCK.lastIndex = 0;
  return text.replace(BLOCK, (_, begin, end) => `${begin}${exitCodesMarkdown()}${end}`);
}

/** Each generated file: its text now and what it should be. */
export function generatedDocs(root = fileURLToPath(new URL('..', import.meta.url))) {
  return GENERATED_FILES.map((file) => {
    const path = `${root}/${file}`;
    const current = readFileSync(path, 'utf8');
    return { file, path, current, expected: regenerate(current, file) };
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = process.argv.indexOf('--root');
  const stale = generatedDocs(at > 0 ? process.argv[at + 1] : undefined).filter((d) => d.current !== d.expected);
  if (process.argv.includes('--check')) {
    for (const d of stale) console.error(`${d.file}: the exit-code table differs from src/exit-codes.ts: run \`npm run build\` and commit it`);
    process.exit(stale.length > 0 ? 1 : 0);
  }
  for (const d of stale) writeFileSync(d.path, d.expected);
}
