import { defineConfig } from 'vitest/config';

/**
 * The browser suite (`pnpm test:browser`): the built site in headless Chromium.
 * One file at a time (each launches its own Chromium), with room for a chapter
 * to run in the page (a minute or two). In CI, also a JSON report for the
 * closing summary line.
 */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: process.env.CI ? { json: '.ci-results/vitest-browser.json' } : undefined,
  },
});
