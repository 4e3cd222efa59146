import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Real PTYs and child processes: give them room on a 2-core CI machine.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // A TMPDIR of the run's own, checked for leftovers (files, processes) and removed at the end.
    globalSetup: ['test/helpers/global-setup.ts'],
    // Fails a test that blocks the worker's event loop for long: vitest's own RPC would time out.
    setupFiles: ['test/helpers/event-loop.ts'],
    projects: [
      // The fast tier: the real engine on a fake clock and fake terminals (test/unit/fakes.ts).
      // Nothing in it waits for real time, so a test that takes seconds is a hung one.
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 5_000 } },
      // End to end: real PTYs, child processes, pipes and signals.
      { extends: true, test: { name: 'e2e', include: ['test/**/*.test.ts'], exclude: ['test/unit/**'] } },
    ],
  },
});
