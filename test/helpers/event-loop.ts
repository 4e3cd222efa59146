// A setup file (vitest.config.ts): fails a test that holds the test worker's event loop too long.
// The worker hears vitest's replies only when its loop turns, and vitest's runner goes from one
// test to the next without turning it. Blocking work (spawnSync of the CLI, say) therefore adds up
// across a file's tests, and a reply unread for 60 s fails the whole run with "Timeout calling
// onTaskUpdate", every test passed. Child processes belong in test/helpers/cli.ts's `run`.
import { afterAll, afterEach, expect } from 'vitest';

/** Far below vitest's 60 s, far above what a test's own synchronous work takes (well under a second). */
const LIMIT_MS = 20_000;

// Taken now: the runner's clock and timers, not ones a test might replace.
const now = performance.now.bind(performance);
const { setImmediate, setInterval } = globalThis;

let lastTurn = now();
let longest = 0;
// A timer runs only when the loop turns: the gap between two ticks is how long it was held.
setInterval(() => {
  const t = now();
  longest = Math.max(longest, t - lastTurn);
  lastTurn = t;
}, 100).unref();

/** The longest the loop was held since the last call, the stretch still running included. */
function heldSinceLastCheck(): number {
  const t = now();
  const held = Math.max(longest, t - lastTurn);
  longest = 0;
  lastTurn = t; // counted: the next stretch starts here
  return held;
}

/** Two turns of the loop: its poll phase, where vitest's replies are read, runs in between. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

function check(where: string, held: number): void {
  if (held <= LIMIT_MS) return;
  throw new Error(
    `${where} held the test worker's event loop for ${(held / 1000).toFixed(1)} s (limit ${LIMIT_MS / 1000} s): vitest cannot hear from it meanwhile and fails the run past 60 s; run child processes with run() or relayAsync() from test/helpers/cli.ts, not spawnSync`,
  );
}

afterEach(async () => {
  const held = heldSinceLastCheck();
  await turn(); // so that blocking stretches cannot add up across tests
  check(`"${expect.getState().currentTestName}" (or the hooks before it)`, held);
});

afterAll(() => check('the hooks after the last test', heldSinceLastCheck()));
