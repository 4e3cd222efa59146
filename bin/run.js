#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { pathToFileURL } from 'node:url';

// `relay --version` answers without loading oclif (most of its start-up time): the same line and
// rules as oclif's (a version flag as the first argument; oclif's Config.userAgent), which
// test/cli.test.ts compares with oclif's own.
async function versionLine(argv) {
  const pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const flags = ['--version', ...(pjson.oclif?.additionalVersionFlags ?? [])];
  if (!flags.includes(argv[0])) return undefined;
  // oclif names WSL "wsl", from wsl-utils' isWsl, which is is-wsl's (both @oclif/core's
  // dependencies, not relay's): is-wsl alone, without wsl-utils' child_process and PowerShell parts.
  const wslUtils = createRequire(import.meta.resolve('@oclif/core')).resolve('wsl-utils');
  const isWsl = createRequire(wslUtils).resolve('is-wsl');
  const os = (await import(pathToFileURL(isWsl).href)).default ? 'wsl' : platform();
  return `${pjson.name}/${pjson.version} ${os}-${arch() === 'ia32' ? 'x86' : arch()} node-${process.version}`;
}

// The check oclif's index makes on load (not loaded any more, see below), in its words.
try {
  process.cwd();
} catch (err) {
  if (err.code === 'ENOENT') process.stderr.write('WARNING: current directory does not exist\n');
}

const version = await versionLine(process.argv.slice(2));
if (version !== undefined) {
  process.stdout.write(`${version}\n`);
} else {
  // Not '@oclif/core' itself: its index loads every part of oclif and checks the Node version
  // with semver (against oclif's engines, older than relay's own): a third of oclif's load time.
  const { execute } = await import('@oclif/core/execute');
  await execute({ dir: import.meta.url });
}
