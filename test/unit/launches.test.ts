// The launch gate behind rate limits and --stagger (src/fanout/policies/rate-limit.ts), on its own.
import { describe, expect, it } from 'vitest';
import { Launches } from '../../src/fanout/policies/rate-limit.js';

describe('Launches', () => {
  it('halves the concurrency at each limit (at least 1) and raises it by one per success, up to the slots', () => {
    const l = new Launches(8, 1000, 0);
    const seen = [8];
    for (let i = 0; i < 5; i++) l.limited(0, undefined), seen.push(l.concurrency);
    expect(seen).toEqual([8, 4, 2, 1, 1, 1]);
    for (let i = 0; i < 10; i++) l.succeeded();
    expect(l.concurrency).toBe(8);
  });

  it('pauses until the reset the agent gave, else a back-off doubling per limit in a row and starting over after a success', () => {
    const l = new Launches(2, 1000, 0);
    l.limited(10_000, 50_000);
    expect(l.pausedUntil).toBe(50_000);
    expect(l.paused).toBe(true);
    const fresh = new Launches(2, 1000, 0);
    const pauses = [1, 2, 3].map(() => (fresh.limited(100_000, undefined), fresh.pausedUntil - 100_000));
    expect(pauses).toEqual([1000, 2000, 4000]);
    fresh.succeeded();
    fresh.limited(200_000, 1); // a reset time already past: the back-off instead
    expect(fresh.pausedUntil).toBe(201_000);
  });

  it('--stagger: the next launch waits the stagger after the last one', () => {
    const l = new Launches(3, 1000, 500);
    expect(l.nextLaunchAt()).toBeLessThanOrEqual(0);
    l.launched(1000);
    expect(l.nextLaunchAt()).toBe(1500);
  });
});
