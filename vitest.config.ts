import { defineConfig } from 'vitest/config';

/**
 * Four suites, one run. `integration` starts the embedded emulators once
 * (global setup, free ports, in-memory); `e2e` starts `npm start`'s platform
 * as a child process; `unit` and `infra` need no I/O.
 */
export default defineConfig({
  test: {
    // Handlers log through Powertools; tests assert on responses, not on log lines.
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { test: { name: 'infra', include: ['test/infra/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          setupFiles: ['test/integration/setup-env.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
