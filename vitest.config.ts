import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

/**
 * One run, several projects: unit tests live beside their package, everything that needs
 * a real Redis, several processes or a real browser lives in tests/. The global setup
 * finds or starts one Redis for the whole run (tests/helpers/redis.ts says how).
 */
export default defineConfig({
  test: {
    // vitest's default, one worker less than cores, is one worker on CI's two cores, and the
    // files mostly wait on browsers, servers and Redis rather than compute. Each worker has a
    // Redis database of its own (tests/helpers/worker-redis.ts), so files side by side do not
    // share the rate limiter's counters.
    // At most 14: a database each, and rate-limit.test.ts keeps the last of 16.
    maxWorkers: Math.min(14, Math.max(2, availableParallelism() - 1)),
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
          setupFiles: ['tests/helpers/worker-redis-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'reliability',
          include: ['tests/reliability/**/*.test.ts'],
          globalSetup: ['tests/helpers/global-redis.ts'],
          setupFiles: ['tests/helpers/worker-redis-setup.ts'],
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
            'tests/helpers/global-firefox.ts',
            'tests/helpers/global-web.ts',
          ],
          setupFiles: ['tests/helpers/worker-redis-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // One browser at a time, after the other projects: at load 15-22 (others' Lighthouse
          // and browser runs on the two cores) two at a time timed out waiting for pages in
          // i18n, cross-client and redirect-refused, where one at a time does not. The run's one
          // Firefox also takes one suite's session at a time (global-firefox.ts).
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
