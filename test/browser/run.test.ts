// The Run button of a chapter page, in headless Chromium: it runs the chapter's
// program in a Web Worker on the page and checks the page's own stated numbers
// against what the browser computed. Run by `pnpm test:browser`.
//
// The page's contract: `.run-box` holds `button.run-button` and a backend
// `select.run-backend` (default `wasm`); the box's `data-run-state` goes
// idle → running → done | failed; when done it carries `data-run-checked`,
// `data-run-passed`, `data-run-seconds` and `data-run-kept`, and each compared `.claim` carries
// `data-run` (`ok` | `off`) and `data-computed`.
import { describe, expect, test } from 'vitest';
import { screenshot, siteForTests, visit } from './support/site.ts';

/**
 * The chapters run in the browser, how long each may take there, and the book's
 * checkpoints each loads instead of training (05 starts from chapter 00's base models).
 */
const CHAPTERS = [
  { path: '/01-rl-basics', timeout: 90_000, kept: '' },
  { path: '/05-dpo', timeout: 180_000, kept: 'base-models-wasm-1' },
];

const site = siteForTests();

describe('the Run button', () => {
  for (const { path, timeout, kept } of CHAPTERS) {
    test(`${path}: runs the chapter in the browser and every stated number it checks holds`, async () => {
      await visit(site, path, async (page) => {
        const box = page.locator('.run-box');
        await box.waitFor({ state: 'attached', timeout: 15_000 }).catch(() => {
          throw new Error(`${path} has no .run-box: the page shows no Run button`);
        });
        expect(await box.getAttribute('data-run-state')).toBe('idle');
        expect(await box.locator('select.run-backend').inputValue(), 'the default backend').toBe('wasm');

        await box.locator('button.run-button').click();
        await page
          .waitForFunction(
            (element) => ['done', 'failed'].includes(element?.getAttribute('data-run-state') ?? ''),
            await box.elementHandle(),
            { timeout, polling: 500 },
          )
          .catch(async (error: Error) => {
            throw new Error(`${path}: the run did not finish: ${error.message}\n${await box.innerText()}`);
          });
        const state = await box.getAttribute('data-run-state');
        if (state !== 'done') throw new Error(`${path}: the run ${state}:\n${await box.innerText()}`);

        const checked = Number(await box.getAttribute('data-run-checked'));
        const passed = Number(await box.getAttribute('data-run-passed'));
        const seconds = Number(await box.getAttribute('data-run-seconds'));
        const used = await box.getAttribute('data-run-kept');
        console.log(`${path}: ran in the browser in ${seconds.toFixed(1)} s; ${passed} of ${checked} stated numbers hold; checkpoints used: ${used || 'none'}`);
        await screenshot(page, `run${path.replace('/', '-')}`, '.run-box');

        expect(checked, 'stated numbers compared (data-run-checked)').toBeGreaterThan(0);
        const claims = await page.locator('.claim[data-run]').evaluateAll((spans) =>
          spans.map((s) => ({
            claim: s.getAttribute('data-claim'),
            stated: s.textContent,
            run: s.getAttribute('data-run'),
            computed: s.getAttribute('data-computed'),
          })),
        );
        expect(claims.filter((c) => c.run !== 'ok'), 'stated numbers the browser computed otherwise').toEqual([]);
        expect(claims.filter((c) => !c.computed), 'compared numbers without data-computed').toEqual([]);
        expect(claims.length, '.claim spans marked data-run').toBe(checked);
        expect(passed, 'data-run-passed').toBe(checked);
        expect(seconds, 'data-run-seconds').toBeGreaterThan(0);
        expect(used, 'checkpoints used instead of training (data-run-kept)').toBe(kept);
      });
    });
  }
});
