import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One chapter at a time per worker; chapters are CPU-bound and the machine has two cores.
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 60_000,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
