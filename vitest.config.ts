import { defineConfig } from 'vitest/config';

// Browser suites run when HAIHE_E2E=1 (CI sets it); database suites also run on PostgreSQL when
// TEST_DATABASE_URL is set.
export default defineConfig({
  test: {
    include: [
      'src/**/*.test.ts',
      'test/**/*.test.ts',
      ...(process.env.HAIHE_E2E === '1' ? ['e2e/**/*.e2e.test.ts'] : []),
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    pool: 'forks',
    reporters: ['default'],
  },
});
