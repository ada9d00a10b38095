import { defineConfig } from 'vitest/config'

/**
 * One run, several projects: unit tests live beside their package, everything that needs
 * a real Redis, several processes or a real browser lives in tests/. The global setup
 * finds or starts one Redis for the whole run (tests/helpers/redis.ts says how).
 */
export default defineConfig({
  test: {
    reporters: ['default', './tests/helpers/summary-reporter.ts'],
    projects: [
      { test: { name: 'shared', include: ['shared/test/**/*.test.ts'] } },
      { test: { name: 'server', include: ['server/test/**/*.test.ts'] } },
      // Each CLI test starts several Node processes: seconds apiece on two busy cores.
      { test: { name: 'cli', include: ['cli/test/**/*.test.ts'], testTimeout: 30_000 } },
      // Pure web modules, tested beside them; components and pages are tested in real browsers.
      { test: { name: 'web', include: ['web/src/**/*.test.ts'] } },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: [
            'tests/helpers/global-redis.ts',
            'tests/helpers/global-web.ts',
            'tests/helpers/global-server.ts',
          ],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'reliability',
          include: ['tests/reliability/**/*.test.ts'],
          globalSetup: ['tests/helpers/global-redis.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          // These start and kill their own Redis and server processes; one file at a time
          // keeps two cores from turning timing assertions into noise.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'cluster',
          include: ['tests/cluster/**/*.test.ts'],
          globalSetup: ['tests/helpers/global-server.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          globalSetup: [
            'tests/helpers/global-redis.ts',
            'tests/helpers/global-display.ts',
            'tests/helpers/global-web.ts',
          ],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // One browser at a time: two cores are shared with the server and Redis. Two at a time
          // (maxWorkers 2) cut the wall time but, at load 10-14, files.test.ts's keyboard test once
          // waited 30 s for a file chooser that never opened: not safe until that is understood.
          // Any two files at once also share the rate limiter's counters (one Redis, one client
          // address), and a CI run with two workers got 429s for it.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'compose',
          include: ['tests/compose/**/*.test.ts'],
          testTimeout: 120_000,
          // A cold run builds the stand-in base images and the app image: minutes on two cores.
          hookTimeout: 900_000,
          // A group of its own: no other test file runs beside its image build and their timings hold.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
})
