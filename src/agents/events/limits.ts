// What every agent says, in its own words, when it hits a rate or usage limit, and when the limit
// resets if it says so. Claude and Codex report limits as structured events too; these patterns
// catch the ones that arrive only as error text ("Claude AI usage limit reached|1751994000",
// "You've hit your session limit · resets 2pm", a 429 in an API error, Gemini's RESOURCE_EXHAUSTED).
import type { AgentSeverity } from '../../frames/agent.js';
import { compact } from './json.js';
import type { NormalisedEvent } from './types.js';

const LIMIT_TEXT = /usage limit|rate limit|rate_limit|session limit|hit your limit|out of (?:extra )?usage|quota exceeded|exceeded your current quota|resource_exhausted|too many requests|\b429\b/i;

export function isLimitText(text: string | undefined): boolean {
  return text !== undefined && LIMIT_TEXT.test(text);
}

/** An epoch (seconds or milliseconds) as ISO 8601, or undefined when it is not a plausible time. */
export function epochToIso(value: unknown): string | undefined {
  const n = typeof value === 'string' && /^\d{9,13}$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) return undefined;
  const ms = n < 1e12 ? n * 1000 : n;
  // Between 2001 and 2286: anything else is not a reset time.
  return ms > 1e12 && ms < 1e13 ? new Date(ms).toISOString() : undefined;
}

/** The reset time a limit message states as a number: "…reached|1751994000", "resets_at":1777936568. */
export function resetFromText(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const m = /\|(\d{10,13})\b/.exec(text) ?? /"?resets?_?at"?\s*[:=]\s*"?(\d{10,13})/i.exec(text);
  return m ? epochToIso(m[1]) : undefined;
}

/** A rate_limit event for a message that names a limit; `original`: the text as printed, if reworded. */
export function limitEvent(raw: unknown, text: string | undefined, severity: AgentSeverity, subagent?: string, original?: string): NormalisedEvent {
  return compact({ kind: 'rate_limit', raw, text, severity, resets_at: resetFromText(original) ?? resetFromText(text), subagent });
}
