// The agent's own verdict on an attempt, from its events: it failed when its last result says so,
// or when it reported an error (of severity error) that no successful result followed. Warnings,
// retries and a subagent's errors are not failures.
import type { NormalisedEvent } from './types.js';

export class Verdict {
  private failedResult: string | undefined;
  private unresolved: string | undefined;

  add(e: NormalisedEvent): void {
    if (e.subagent !== undefined) return;
    if (e.kind === 'result') {
      this.failedResult = e.is_error ? (e.text ?? 'the agent reported a failed result') : undefined;
      this.unresolved = undefined;
    } else if ((e.kind === 'error' || e.kind === 'rate_limit') && e.severity === 'error') {
      this.unresolved = e.text ?? `the agent reported an ${e.kind === 'error' ? 'error' : 'exhausted rate limit'}`;
    }
  }

  /** Why the agent says it failed (its own words), or undefined when it does not. */
  get failure(): string | undefined {
    return this.unresolved ?? this.failedResult;
  }
}
