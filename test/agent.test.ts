import { createHash } from 'node:crypto';
import stripAnsi from 'strip-ansi';
import { describe, expect, it } from 'vitest';
import { ROOT, runBytes } from './helpers/cli.js';

async function agent(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = await runBytes(process.execPath, ['dist/sim/main.js', '--duration', '0', ...args], { cwd: ROOT, env: { NO_COLOR: '', ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

describe('built-in simulated agent', () => {
  it('prints byte-identical output for the same seed and different output for another', async () => {
    const a = await agent(['--seed', '7']);
    const b = await agent(['--seed', '7']);
    const c = await agent(['--seed', '8']);
    expect(a.status).toBe(0);
    expect(a.stdout.equals(b.stdout)).toBe(true);
    expect(a.stdout.equals(c.stdout)).toBe(false);
  });

  it('looks like an agent on a terminal: colour, a spinner redrawn with \\r, tool calls, a summary', async () => {
    const text = (await agent(['--seed', '3', '--tools', '2'])).stdout.toString();
    expect(text).toMatch(/\x1b\[\d+m/);
    expect((text.match(/\r\S* ?\S*Thinking/g) ?? []).length).toBeGreaterThanOrEqual(8);
    expect(stripAnsi(text).match(/● (Read|Edit|Grep|Bash|Write)\(/g)).toHaveLength(2);
    expect(text).toMatch(/Done: 2 tool calls/);
  });

  it('takes its task as positional arguments and shows it under the banner, leaving the rest of its output as it was', async () => {
    const plain = (await agent(['--seed', '5'])).stdout.toString();
    const given = (await agent(['--seed', '5', 'fix', 'the login bug'])).stdout.toString();
    expect(stripAnsi(given)).toMatch(/sim-agent · w\S* · seed 5 │\n╰─+╯\n> fix the login bug\n/);
    expect(stripAnsi(given).replace('> fix the login bug\n', '')).toBe(stripAnsi(plain));
  });

  it('honours --exit-code and --fail-rate', async () => {
    expect((await agent(['--exit-code', '3'])).status).toBe(3);
    expect((await agent(['--fail-rate', '1'])).status).toBe(1);
    expect((await agent(['--fail-rate', '0'])).status).toBe(0);
  });

  it('emits at least --bytes of text and a --digest line covering everything before it', async () => {
    const out = (await agent(['--bytes', '2MB', '--digest'])).stdout;
    expect(out.length).toBeGreaterThanOrEqual(2_000_000);
    const text = out.toString('latin1');
    const at = text.lastIndexOf('sim-agent sha256=');
    const body = out.subarray(0, at);
    expect(text.slice(at)).toBe(`sim-agent sha256=${createHash('sha256').update(body).digest('hex')} bytes=${body.length}\n`);
  });

  it('rejects a bad flag with one line on stderr, exit 2 and nothing on stdout', async () => {
    const r = await agent(['--fail-rate', 'x']);
    expect(r.status).toBe(2);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toBe('relay agent: --fail-rate: expected a number between 0 and 1, got "x"\n');
  });
});
