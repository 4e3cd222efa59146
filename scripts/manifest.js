// Writes oclif.manifest.json from the built commands with oclif's own loader (what `oclif manifest`
// does), without the oclif CLI's large dependency tree. `--check` fails when the file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Plugin } from '@oclif/core';

const root = fileURLToPath(new URL('..', import.meta.url));
const file = new URL('../oclif.manifest.json', import.meta.url);
const plugin = new Plugin({ root, type: 'core', ignoreManifest: true, errorOnManifestCreate: true, respectNoCacheDefault: true });
await plugin.load();
const text = JSON.stringify(plugin.manifest, null, 2) + '\n';

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {}
  if (current !== text) {
    console.error('oclif.manifest.json is stale: run `npm run build` and commit it');
    process.exit(1);
  }
} else {
  writeFileSync(file, text);
}
