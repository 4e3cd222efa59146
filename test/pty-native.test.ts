// The adapter in front of node-pty's private internals: a version or platform it was not written for fails in one line.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exitCodeFor } from '../src/cli/errors.js';
import { RelayError } from '../src/errors.js';
import { NODE_PTY_VERSION, SUPPORTED_PLATFORMS, checkNative, nativeEnvironment } from '../src/pty/native.js';
import { ROOT } from './helpers/cli.js';
import { tmp } from './helpers/temp.js';
import { thrownRelayError } from './helpers/errors.js';

const dir = tmp('relay-native-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A package.json claiming `version`, as a different node-pty install would have. */
function fakePackage(version: unknown): string {
  const file = join(dir, `package-${String(version)}.json`);
  writeFileSync(file, JSON.stringify({ name: 'node-pty', version }));
  return file;
}

describe('node-pty adapter (src/pty/native.ts)', () => {
  it('accepts the installed node-pty on this machine', () => {
    expect(() => checkNative()).not.toThrow();
    expect(() => checkNative(nativeEnvironment(fakePackage(NODE_PTY_VERSION)))).not.toThrow();
  });

  it.each(['1.2.0', '1.1.1', '1.0.0', '1.1.0-beta.1', '2.0.0', undefined])('refuses node-pty %s in one line naming both versions, exit 69', (version) => {
    const err = thrownRelayError(() => checkNative(nativeEnvironment(fakePackage(version))));
    expect(err.code).toBe('UNSUPPORTED');
    expect(err.message).not.toContain('\n');
    expect(err.message).toContain(`node-pty ${String(version)} is installed`);
    expect(err.message).toContain(`install node-pty@${NODE_PTY_VERSION}`);
    expect(exitCodeFor(err)).toBe(69);
  });

  it.each(['win32', 'freebsd', 'aix', 'openbsd'] as NodeJS.Platform[])('refuses platform %s in one line', (platform) => {
    const err = thrownRelayError(() => checkNative({ platform, nodePtyVersion: () => NODE_PTY_VERSION }));
    expect(err).toMatchObject({ code: 'UNSUPPORTED', value: platform });
    expect(err.message).toBe(`relay runs workers in pseudo-terminals on linux and darwin only, not on ${platform}`);
  });

  it('agrees with package.json\'s os and its pinned node-pty', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { os: string[]; dependencies: Record<string, string> };
    expect(pkg.os).toEqual([...SUPPORTED_PLATFORMS]);
    expect(pkg.dependencies['node-pty']).toBe(NODE_PTY_VERSION);
  });

  it('reaches the CLI edge as one line on stderr and exit 69', () => {
    const script = `
      import { checkNative, nativeEnvironment } from './dist/pty/native.js';
      import { reportError } from './dist/cli/errors.js';
      try { checkNative(nativeEnvironment(process.argv[1])); } catch (err) { reportError(err); }`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, fakePackage('9.9.9')], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(69);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`relay: node-pty 9.9.9 is installed, but relay drives node-pty ${NODE_PTY_VERSION}'s native module directly: install node-pty@${NODE_PTY_VERSION}\n`);
  });
});
