import { defineConfig } from 'vitest/config';

// Browser journeys (playwright-core driving Debian's chromium) against a real server. Run by scripts/test-all.mjs.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
