// Durations and sizes as people type them on a command line. One place, shared by the CLI
// and the simulated agent, so `2s` and `20MB` mean the same everywhere.

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const SIZE_UNITS: Record<string, number> = {
  '': 1, b: 1,
  k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9,
  kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3,
};

/**
 * The longest duration relay takes: what a Node timer can hold (2^31-1 ms, about 24.8 days).
 * Longer, setTimeout fires at once, so `--timeout 600h` would stop every task immediately.
 */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/**
 * `10` (seconds, as timeout(1) and GNU parallel read it), `1500ms`, `2s`, `1.5m`, `1h` →
 * milliseconds. Above MAX_DURATION_MS it is an error, never a wrapped or clamped value.
 */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text);
  if (!m) throw new Error(`expected a duration such as 10 (seconds), 500ms, 2s or 1m, got "${text}"`);
  const ms = Math.round(Number(m[1]) * DURATION_UNITS[(m[2] ?? 's').toLowerCase()]!);
  if (ms > MAX_DURATION_MS) throw new Error(`"${text.trim()}" is too long: at most 596h (2^31-1 ms, what a timer can hold)`);
  return ms;
}

/** `4096`, `64k`, `64KB`, `20MB`, `1.5MiB` → bytes. k/KB/MB/GB count in 1000s, KiB/MiB/GiB in 1024s. */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = SIZE_UNITS[(m?.[2] ?? '').toLowerCase()];
  if (!m || unit === undefined) throw new Error(`expected a size such as 4096, 64KB or 20MB, got "${text}"`);
  return Math.round(Number(m[1]) * unit);
}

/** 950ms → "1.0s", 75s → "1m15s": durations for people. */
export function elapsed(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** 1234 → "1.2 kB": sizes for people. */
export function bytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}

