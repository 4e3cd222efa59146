// The one place relay touches node-pty's private internals (see src/pty/pty.ts for why): its
// native module's `fork`, called with positional arguments, and `lib/utils.js`, its loader.
// Neither is public API, so they are used only with the node-pty version they were read from,
// and only on the platforms the Unix code path serves; anything else fails with one line
// (a RelayError, code UNSUPPORTED: exit 69) before a worker starts.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { RelayError } from '../errors.js';

/** The node-pty version whose native `fork` signature and loader relay was written against. */
export const NODE_PTY_VERSION = '1.1.0';
/** node-pty's Unix path (forkpty, spawn-helper on macOS); Windows' ConPTY is another API. */
export const SUPPORTED_PLATFORMS: readonly NodeJS.Platform[] = ['linux', 'darwin'];

export interface NativePty {
  fork(
    file: string,
    args: string[],
    env: string[],
    cwd: string,
    cols: number,
    rows: number,
    uid: number,
    gid: number,
    useUtf8: boolean,
    helperPath: string,
    onExit: (code: number, signal: number) => void,
  ): { fd: number; pid: number; pty: string };
  resize(fd: number, cols: number, rows: number): void;
}

export interface NativeEnvironment {
  platform: NodeJS.Platform;
  /** The installed node-pty's version (its package.json). */
  nodePtyVersion(): string;
}

const require = createRequire(import.meta.url);

/** This machine, with the version read from `packageJson` (default: the installed node-pty's). */
export function nativeEnvironment(packageJson = require.resolve('node-pty/package.json')): NativeEnvironment {
  return {
    platform: process.platform,
    nodePtyVersion: () => String((JSON.parse(readFileSync(packageJson, 'utf8')) as { version?: unknown }).version),
  };
}

/** Throws the one-line reason relay cannot drive terminals in `env`; returns when it can. */
export function checkNative(env: NativeEnvironment = nativeEnvironment()): void {
  if (!SUPPORTED_PLATFORMS.includes(env.platform)) {
    throw new RelayError('UNSUPPORTED', `relay runs workers in pseudo-terminals on ${SUPPORTED_PLATFORMS.join(' and ')} only, not on ${env.platform}`, { value: env.platform });
  }
  const version = env.nodePtyVersion();
  if (version !== NODE_PTY_VERSION) {
    throw new RelayError(
      'UNSUPPORTED',
      `node-pty ${version} is installed, but relay drives node-pty ${NODE_PTY_VERSION}'s native module directly: install node-pty@${NODE_PTY_VERSION}`,
      { value: version },
    );
  }
}

let native: { module: NativePty; dir: string } | undefined;

/** node-pty's native module (checked once, then cached) and the folder it was loaded from. */
export function loadNative(): { module: NativePty; dir: string } {
  if (!native) {
    checkNative();
    // node-pty's own loader: finds build/Release, build/Debug or the prebuilds for this platform.
    const utils = require('node-pty/lib/utils.js') as { loadNativeModule(name: string): { module: NativePty; dir: string } };
    native = utils.loadNativeModule('pty');
  }
  return native;
}
