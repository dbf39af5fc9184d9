// The diagrams (```dot diagram blocks, drawn by Graphviz at build time) in headless
// Chromium: each page shows each of its diagrams as an SVG of visible size inside the
// reading column, on a desktop and on a phone, in the light and the dark theme, with
// its Chinese labels in a font that has them. Run by `pnpm test:browser`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { findDiagrams } from '../../.vitepress/markdown/diagrams.ts';
import { watchPage } from './support/browser.ts';
import { bookPages } from './support/book.ts';
import { ROOT } from './support/server.ts';
import { screenshot, siteForTests } from './support/site.ts';

const site = siteForTests();
const pages = bookPages()
  .map((p) => ({ ...p, diagrams: findDiagrams(readFileSync(join(ROOT, 'chapters', `${p.name}.md`), 'utf8')).length }))
  .filter((p) => p.diagrams > 0);

/** What a diagram looks like on the page. */
interface Seen {
  width: number;
  height: number;
  /** How far the SVG reaches past the reading column, in pixels (0 if it fits). */
  overflow: number;
  texts: number;
  /** The colours of its labels, and of the page's background. */
  textColours: string[];
  background: string;
  caption: string;
  chinese: string;
}

/** Open `path` as a reader with this screen and theme would, and look at its diagrams. */
async function diagramsOn(path: string, options: { width: number; height: number; dark: boolean }): Promise<Seen[]> {
  const page = await site.browser.newPage({ viewport: { width: options.width, height: options.height }, colorScheme: options.dark ? 'dark' : 'light' });
  const problems = watchPage(page, site.url);
  try {
    const response = await page.goto(site.url + path, { waitUntil: 'networkidle' });
    expect(response?.status(), `HTTP status of ${path}`).toBe(200);
    expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(options.dark);
    // The CJK face is split by unicode-range: ask for the glyphs the labels use.
    await page.evaluate(async () => {
      const chinese = Array.from(document.querySelectorAll('figure.diagram text'), (t) => t.textContent ?? '').join('').replace(/[^\u4e00-\u9fff]/g, '');
      if (chinese) await document.fonts.load('14px "Noto Sans SC"', chinese);
    });
    const seen = await page.evaluate(() =>
      Array.from(document.querySelectorAll('.vp-doc figure.diagram'), (figure) => {
        const svg = figure.querySelector('svg')!;
        const box = svg.getBoundingClientRect();
        const column = figure.closest('.vp-doc')!.getBoundingClientRect();
        return {
          width: box.width,
          height: box.height,
          overflow: Math.max(0, box.right - column.right, column.left - box.left),
          texts: svg.querySelectorAll('text').length,
          textColours: [...new Set(Array.from(svg.querySelectorAll('text'), (t) => getComputedStyle(t).fill))],
          background: getComputedStyle(document.body).backgroundColor,
          caption: figure.querySelector('figcaption')?.textContent ?? '',
          chinese: Array.from(svg.querySelectorAll('text'), (t) => t.textContent ?? '').join('').replace(/[^\u4e00-\u9fff]/g, ''),
        };
      }),
    );
    for (const [i, s] of seen.entries()) {
      if (!s.chinese) continue;
      expect(await page.evaluate((c) => document.fonts.check('14px "Noto Sans SC"', c), s.chinese), `a font for ${s.chinese}`).toBe(true);
      // Drawn with the font, not as the empty boxes of a layout made before it loaded
      // (.vitepress/theme/diagram-fonts.ts): a fresh layout of the labels changes them far
      // less than boxes would. (Not "no pixel": a relayout may move antialiasing at the edges.)
      const svg = page.locator('figure.diagram svg').nth(i);
      await page.evaluate(() => document.fonts.ready);
      const before = await svg.screenshot();
      const relayout = async (fontFamily?: string) => {
        await page.evaluate(async ([index, family]) => {
          const svgs = document.querySelectorAll('figure.diagram svg');
          for (const text of Array.from(svgs[index as number]!.querySelectorAll('text'))) {
            text.style.letterSpacing = '0.00005px';
            if (family) text.style.fontFamily = family as string;
          }
          await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
        }, [i, fontFamily]);
        return svg.screenshot();
      };
      const fresh = await pixelsApart(page, before, await relayout());
      const boxes = await pixelsApart(page, before, await relayout('"DejaVu Sans", sans-serif'));
      expect(fresh, `the labels ${s.chinese} redrawn after their font loaded (boxes: ${boxes})`).toBeLessThan(boxes / 4);
    }
    if (options.width >= 1000) {
      const name = `diagrams-${path.slice(1)}-${options.dark ? 'dark' : 'light'}`;
      const first = page.locator('figure.diagram').first();
      await first.scrollIntoViewIfNeeded();
      await screenshot(page, name, 'figure.diagram >> nth=0');
    }
    expect(problems, `what went wrong on ${path}`).toEqual([]);
    return seen;
  } finally {
    await page.close();
  }
}

/** The WCAG contrast ratio of a CSS `rgb(…)`/`rgba(…)` colour drawn on an opaque background. */
function contrast(colour: string, background: string): number {
  const channels = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
  const [br = 0, bg = 0, bb = 0] = channels(background);
  const [r = 0, g = 0, b = 0, alpha = 1] = channels(colour);
  const linear = (v: number) => ((v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  const luminance = (rgb: number[]) => 0.2126 * linear(rgb[0]!) + 0.7152 * linear(rgb[1]!) + 0.0722 * linear(rgb[2]!);
  const blended = [r, g, b].map((v, i) => alpha * v + (1 - alpha) * [br, bg, bb][i]!);
  const [l1, l2] = [luminance(blended), luminance([br, bg, bb])].sort((x, y) => y - x);
  return (l1! + 0.05) / (l2! + 0.05);
}

test('the book has diagrams in chapters 00, 04 and 05', () => {
  expect(pages.map((p) => p.name.slice(0, 2))).toEqual(expect.arrayContaining(['00', '04', '05']));
});

for (const book of pages) {
  describe(book.path, () => {
    test(`shows its ${book.diagrams} diagram(s) as SVG, captioned, inside the column, in the light and the dark theme`, async () => {
      for (const dark of [false, true]) {
        const seen = await diagramsOn(book.path, { width: 1280, height: 800, dark });
        expect(seen).toHaveLength(book.diagrams);
        for (const s of seen) {
          expect(s.width, 'width of the SVG').toBeGreaterThan(150);
          expect(s.height, 'height of the SVG').toBeGreaterThan(100);
          expect(s.overflow, 'pixels past the reading column').toBeLessThan(1);
          expect(s.texts, 'labels').toBeGreaterThan(3);
          expect(s.caption.length, 'caption').toBeGreaterThan(20);
          // Labels in the page's text colours, readable on its background: WCAG AA for text, 4.5 to 1.
          for (const colour of s.textColours) expect(contrast(colour, s.background), `label ${colour} on ${s.background}`).toBeGreaterThanOrEqual(4.5);
        }
      }
    });

    test('fits a phone screen: scaled down to the column, not cut off', async () => {
      const seen = await diagramsOn(book.path, { width: 375, height: 740, dark: false });
      expect(seen).toHaveLength(book.diagrams);
      for (const s of seen) {
        expect(s.overflow, 'pixels past the reading column').toBeLessThan(1);
        expect(s.width, 'width of the SVG').toBeGreaterThan(100);
        expect(s.width, 'width of the SVG').toBeLessThanOrEqual(375);
      }
    });
  });
}

/** How many pixels two screenshots of one size differ in (by more than a quarter in some channel). */
async function pixelsApart(page: Page, a: Buffer, b: Buffer): Promise<number> {
  return page.evaluate(async ([x, y]) => {
    const decode = async (base64: string) => {
      const image = await createImageBitmap(await (await fetch(`data:image/png;base64,${base64}`)).blob());
      const canvas = new OffscreenCanvas(image.width, image.height);
      const context = canvas.getContext('2d')!;
      context.drawImage(image, 0, 0);
      return context.getImageData(0, 0, image.width, image.height).data;
    };
    const [p, q] = await Promise.all([decode(x!), decode(y!)]);
    if (p.length !== q.length) return Infinity;
    let apart = 0;
    for (let k = 0; k < p.length; k += 4) {
      if ([0, 1, 2].some((c) => Math.abs(p[k + c]! - q[k + c]!) > 64)) apart++;
    }
    return apart;
  }, [a.toString('base64'), b.toString('base64')]);
}
