// relay as a Node program uses it: installed as node_modules/relay, imported by name ('relay',
// 'relay/agents') through package.json's "exports" map and the compiled dist/, typed.
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, run } from './helpers/cli.js';
import { tmp } from './helpers/temp.js';

/** A consumer project: test/fixtures/library/consumer.ts with relay and @types/node installed (linked). */
function consumerProject(): string {
  const dir = tmp('relay-lib-');
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'relay'));
  symlinkSync(join(ROOT, 'node_modules', '@types'), join(dir, 'node_modules', '@types'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  copyFileSync(join(ROOT, 'test/fixtures/library/consumer.ts'), join(dir, 'consumer.ts'));
  return dir;
}

async function tsc(dir: string): Promise<{ status: number | null; output: string }> {
  const args = ['--strict', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022', '--skipLibCheck', '--types', 'node', 'consumer.ts'];
  const r = await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), ...args], { cwd: dir });
  return { status: r.status, output: r.stdout + r.stderr };
}

describe('the library surface', () => {
  const dir = consumerProject;

  it('a consumer importing relay and relay/agents by name type-checks, and await run.result alone completes for 1 MB of output', async () => {
    const project = dir();
    expect(await tsc(project)).toEqual({ status: 0, output: '' });
    writeFileSync(join(project, 'main.mjs'), `
      import { resultOnly, readBack, surface } from './consumer.js';
      const result = await resultOnly(1_000_000);
      const frames = await readBack('{"v":1,"seq":1,"ts":0,"type":"worker_stream","worker":"w1","data":"x","task":1,"task_id":"1","attempt":1}\\n');
      console.log(JSON.stringify({ ok: result.ok, tasks: result.tasks.length, frames: frames.map((f) => f.type), surface: surface.length }));
    `);
    const r = await run(process.execPath, ['main.mjs'], { cwd: project, timeout: 30_000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ ok: true, tasks: 1, frames: ['worker_stream'], surface: 4 });
  });

  it('deep imports stay closed: only the exported entry points resolve', async () => {
    const project = dir();
    writeFileSync(join(project, 'deep.mjs'), `import('relay/dist/fanout/run.js').then(() => console.log('open'), (e) => console.log(e.code));`);
    const r = await run(process.execPath, ['deep.mjs'], { cwd: project });
    expect(r.stdout.trim()).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });
});
