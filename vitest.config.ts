import { configDefaults, defineConfig } from 'vitest/config';

/** In CI, also write a JSON report per run (named by backend and shard), for the closing summary line. */
const shard = process.env.RLHF_SHARD ? `-${process.env.RLHF_SHARD}` : '';
const report = `.ci-results/vitest-${process.env.RLHF_BACKEND ?? 'default'}${shard}.json`;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, 'test/browser/**'], // pnpm test:browser runs those
    testTimeout: 60_000,
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: process.env.CI ? { json: report } : undefined,
  },
});
