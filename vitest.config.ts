import { defineConfig } from 'vitest/config';

// One run covers unit, integration, end-to-end, chart and repository tests. Integration tests share
// one PostgreSQL and one NATS started by the global setup; each test file isolates itself with its
// own database and its own subject prefix, so files can run in parallel on two cores.
export default defineConfig({
  resolve: { conditions: ['pq-source'] },
  ssr: { resolve: { conditions: ['pq-source'], externalConditions: ['pq-source'] } },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'proto/test/**/*.test.ts',
      'services/*/src/**/*.test.ts',
      'services/*/test/**/*.test.ts',
      'gateway/src/**/*.test.ts',
      'gateway/test/**/*.test.ts',
      'infra/src/**/*.test.ts',
      'infra/test/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    globalSetup: ['test/support/global-setup.ts'],
  },
});
