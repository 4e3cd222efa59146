// One exit-code table in code (src/exit-codes.ts); the copies in the docs and --help come from it.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ERROR_EXIT_CODES, EXIT, EXIT_CODES, STOP_EXIT_CODES, exitCodesHelp, exitCodesMarkdown } from '../src/exit-codes.js';
import { ROOT, relayAsync, shell } from './helpers/cli.js';
import { tmp } from './helpers/temp.js';

const DOCS = ['README.md', 'docs/frames.md', 'docs/reliability.md'];
const BLOCK = /<!-- exit-codes:begin[^>]*-->\n([\s\S]*?)\n<!-- exit-codes:end -->/g;

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the exit-code table', () => {
  it('has each code and name once, in order, and every mapping points into it', () => {
    const codes = EXIT_CODES.map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(EXIT_CODES.map((e) => e.name)).size).toBe(codes.length);
    expect([...codes].sort((a, b) => a - b)).toEqual(codes);
    for (const code of [...Object.values(STOP_EXIT_CODES), ...Object.values(ERROR_EXIT_CODES)]) expect(codes).toContain(code);
    expect(EXIT).toMatchObject({ ok: 0, failed: 1, usage: 2, output_failed: 74, hangup: 129, interrupted: 130, quit: 131, output_closed: 141, terminated: 143 });
  });

  it('is copied unchanged into every generated block of the docs (regenerated in memory)', () => {
    const table = exitCodesMarkdown();
    for (const file of DOCS) {
      const blocks = [...readFileSync(join(ROOT, file), 'utf8').matchAll(BLOCK)].map((m) => m[1]);
      expect(blocks.length, `${file} has an exit-codes block`).toBeGreaterThan(0);
      for (const block of blocks) expect(block, `${file} is stale: run npm run build`).toBe(table);
    }
  });

  it('scripts/docs.js --check passes here and fails on a drifted copy, naming the file', async () => {
    const ok = await shell('node scripts/docs.js --check');
    expect(ok).toMatchObject({ status: 0, stderr: '' });
    const root = tmp('relay-docs-');
    dirs.push(root);
    mkdirSync(join(root, 'docs'));
    for (const file of DOCS) cpSync(join(ROOT, file), join(root, file));
    const frames = join(root, 'docs/frames.md');
    writeFileSync(frames, readFileSync(frames, 'utf8').replace('| 130 | `interrupted` |', '| 130 | `interrupted` | (edited by hand)'));
    const drifted = await shell(`node scripts/docs.js --check --root ${root}`);
    expect(drifted.status).toBe(1);
    expect(drifted.stderr).toBe('docs/frames.md: the exit-code table differs from src/exit-codes.ts: run `npm run build` and commit it\n');
    // Regenerating repairs it.
    expect((await shell(`node scripts/docs.js --root ${root} && node scripts/docs.js --check --root ${root}`)).status).toBe(0);
    expect(readFileSync(frames, 'utf8')).toBe(readFileSync(join(ROOT, 'docs/frames.md'), 'utf8'));
  });

  it('is what `relay fanout --help` and `relay merge --help` say', async () => {
    // oclif re-indents the description: compare word by word.
    const words = (text: string) => text.split(/\s+/).filter(Boolean).join(' ');
    const fanout = words((await relayAsync(['fanout', '--help'])).stdout);
    expect(fanout).toContain(`Exit codes: ${words(exitCodesHelp())}`);
    for (const e of EXIT_CODES) expect(fanout).toContain(`${e.code} ${e.when.replace(/`/g, '').split(' ').slice(0, 3).join(' ')}`);
    const merge = words((await relayAsync(['merge', '--help'])).stdout);
    for (const code of [0, 2, 74, 141]) expect(merge).toMatch(new RegExp(`Exit codes:.* ${code} `));
    expect(merge).not.toMatch(/ 130 interrupted/);
  });
});
