// The built site in headless Chromium: every page of the book loads cleanly, its
// links lead somewhere, its math, Chinese terms, figures and stated numbers render,
// and the local search finds the chapters. Run by `pnpm test:browser`.
import { describe, expect, test } from 'vitest';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { watchPage } from './support/browser.ts';
import { bookPages } from './support/book.ts';
import { drawFigures, look, screenshot, scrollThrough, siteForTests, visit, type Figures, type Visit } from './support/site.ts';

const pages = bookPages();
const site = siteForTests();

/** The HTML each same-origin URL answered with, one request per URL for the whole file. */
const fetched = new Map<string, Promise<{ status: number; html: string }>>();

function fetchOnce(url: string): Promise<{ status: number; html: string }> {
  let pending = fetched.get(url);
  if (!pending) {
    pending = fetch(url, { redirect: 'manual' }).then(async (r) => ({ status: r.status, html: await r.text() }));
    fetched.set(url, pending);
  }
  return pending;
}

/** The ids of the elements in an HTML page, as the browser would read them. */
function htmlIds(html: string): Set<string> {
  const unescape = (s: string) =>
    s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return new Set([...html.matchAll(/\sid="([^"]*)"/g)].map((m) => unescape(m[1]!)));
}

/** The text a reader sees in the page's article, code blocks and inline code left out. */
function proseText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const style = document.createElement('style');
    style.textContent = '.vp-doc pre, .vp-doc code, .vp-doc div[class*="language-"] { display: none !important }';
    document.head.append(style);
    const text = document.querySelector<HTMLElement>('.vp-doc')?.innerText ?? '';
    style.remove();
    return text;
  });
}

/** Everything the page tests look at, from one visit: read as a reader would, scrolled through to the end. */
interface Inspection {
  title: string;
  isPage: boolean;
  text: string;
  prose: string;
  hrefs: string[];
  ids: string[];
  math: number;
  claimTitles: (string | null)[];
  figureCanvases: number;
  figures: Figures;
}

const inspections = new Map<string, Promise<Visit<Inspection>>>();

/** Visit `path` once for all its tests. */
function inspect(path: string): Promise<Visit<Inspection>> {
  let pending = inspections.get(path);
  if (!pending) {
    pending = look(site, path, async (page) => {
      await scrollThrough(page);
      const figures = await drawFigures(page);
      const seen = await page.evaluate(() => ({
        title: document.title,
        isPage: document.querySelector('.vp-doc, .VPHome') !== null,
        text: document.body.innerText,
        hrefs: Array.from(document.querySelectorAll('a[href]')).flatMap((a) => (a instanceof HTMLAnchorElement ? [a.href] : [])),
        ids: Array.from(document.querySelectorAll('[id]'), (e) => e.id),
        math: document.querySelectorAll('.vp-doc .katex').length,
        claimTitles: Array.from(document.querySelectorAll('.vp-doc .claim'), (s) => s.getAttribute('title')),
        figureCanvases: document.querySelectorAll('figure.result-figure canvas').length,
      }));
      return { ...seen, prose: await proseText(page), figures };
    });
    inspections.set(path, pending);
  }
  return pending;
}

for (const book of pages) {
  describe(book.path, () => {
    test('loads (HTTP 200) without console errors, page errors or failed requests', async () => {
      const { status, value, problems } = await inspect(book.path);
      expect(status, 'HTTP status').toBe(200);
      expect(problems, `what went wrong on ${book.path}`).toEqual([]);
      expect(value.title).not.toBe('');
      expect(value.isPage, 'a VitePress page').toBe(true);
      expect(value.text.includes('\uFFFD'), 'U+FFFD (a character that did not decode) on the page').toBe(false);
    });

    test('has no broken links: every page, file and #anchor it links to exists', async () => {
      const here = new URL(book.path, site.url).href;
      const { hrefs, ids } = (await inspect(book.path)).value;
      const broken: string[] = [];
      for (const href of new Set(hrefs)) {
        const url = new URL(href);
        if (url.origin !== site.url) continue;
        const anchor = decodeURIComponent(url.hash.slice(1));
        url.hash = '';
        if (url.href === here) {
          if (anchor && !ids.includes(anchor)) broken.push(`${href}: no element with id "${anchor}" on this page`);
          continue;
        }
        const { status, html } = await fetchOnce(url.href);
        if (status !== 200) broken.push(`${href}: HTTP ${status}`);
        else if (anchor && !htmlIds(html).has(anchor)) broken.push(`${href}: no element with id "${anchor}" there`);
      }
      expect(broken).toEqual([]);
    });

    if (book.math) {
      test('renders its math (KaTeX, no raw TeX in the text)', async () => {
        const { math, prose } = (await inspect(book.path)).value;
        expect(math).toBeGreaterThan(0);
        const raw = prose.match(/.{0,40}(\$\$|\\(frac|sum|beta|pi|log|theta|mathrm|left|right)\b).{0,40}/g);
        expect(raw ?? [], 'raw TeX in the visible text').toEqual([]);
      });
    }

    if (book.chapter) {
      test('marks its stated numbers: .claim spans titled "checked by …"', async () => {
        const { claimTitles } = (await inspect(book.path)).value;
        expect(claimTitles.length).toBeGreaterThan(0);
        expect(claimTitles.filter((t) => !t?.startsWith('checked by'))).toEqual([]);
      });
    }

    if (book.figures > 0) {
      test(`draws its ${book.figures} figure(s) from the recorded results`, async () => {
        const { figureCanvases, figures } = (await inspect(book.path)).value;
        expect(figureCanvases).toBeGreaterThanOrEqual(book.figures);
        expect(figures.errors).toEqual([]);
        expect(figures.drawn).toBeGreaterThanOrEqual(book.figures);
      });
    }
  });
}

test('the site has an icon (else every browser asks for /favicon.ico and gets a 404)', async () => {
  const icon = await visit(site, '/', (page) =>
    page.evaluate(() => document.querySelector<HTMLLinkElement>('link[rel~="icon"]')?.href ?? `${location.origin}/favicon.ico`),
  );
  expect((await fetchOnce(icon)).status, icon).toBe(200);
});

test('chapter 02 shows its Chinese terms (折扣奖励) in a font that has them', async () => {
  const path = pages.find((p) => p.name.startsWith('02-'))!.path;
  await visit(site, path, async (page) => {
    expect(await proseText(page)).toContain('折扣奖励');
    expect(await page.evaluate(() => document.body.innerText.includes('\uFFFD'))).toBe(false);
    // The site serves a CJK face with these glyphs, so they render where no CJK font is installed.
    const faces = await page.evaluate(async () => (await document.fonts.load('16px "Noto Sans SC"', '折扣奖励')).length);
    expect(faces, 'font faces of Noto Sans SC loaded for 折扣奖励').toBeGreaterThan(0);
  });
});

describe('local search', () => {
  /** Search for `term` from the home page; the links of the results. */
  async function search(term: string): Promise<string[]> {
    return visit(site, '/', async (page) => {
      await page.locator('#local-search button').click();
      const input = page.locator('.VPLocalSearchBox input.search-input');
      await input.fill(term);
      const results = page.locator('.VPLocalSearchBox a.result');
      await results.first().waitFor();
      return results.evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
    });
  }

  test('finds DPOP in chapter 06', async () => {
    expect((await search('DPOP')).some((href) => /^\/06-dpop(#|$)/.test(href))).toBe(true);
  });

  test('finds Levenshtein in chapter 06 only', async () => {
    const hrefs = await search('Levenshtein');
    expect(hrefs.length).toBeGreaterThan(0);
    expect(hrefs.filter((href) => !/^\/06-dpop(#|$)/.test(href))).toEqual([]);
  });
});

test('a chapter page weighs what its text, math and figures need: TensorFlow.js loads only when Run is clicked', async () => {
  const page = await site.browser.newPage({ viewport: { width: 1280, height: 800 } });
  const problems = watchPage(page, site.url);
  const loaded: Promise<{ url: string; bytes: number; gzipped: number }>[] = [];
  page.on('response', (response) => {
    const measure = (body: Buffer) => ({ url: response.url(), bytes: body.length, gzipped: gzipSync(body).length });
    loaded.push(response.body().then(measure, () => measure(Buffer.alloc(0))));
  });
  try {
    await page.goto(`${site.url}/05-dpo`, { waitUntil: 'networkidle' });
    await scrollThrough(page);
    await drawFigures(page);
    await page.waitForLoadState('networkidle');
  } finally {
    await page.close();
  }
  expect(problems).toEqual([]);
  const responses = await Promise.all(loaded);
  // VitePress prefetches, at low priority, the pages that visible links lead to: other chapters.
  const prefetched = (url: string) => /\/assets\/\d\d-[\w-]+\.md\.[\w-]+\.js$/.test(url) && !url.includes('/assets/05-dpo.md.');
  const own = responses.filter((r) => !prefetched(r.url));
  const sum = (rs: typeof responses, key: 'bytes' | 'gzipped') => rs.reduce((total, r) => total + r[key], 0);
  const byKind = new Map<string, number>();
  for (const r of own) {
    const kind = /\.(\w+)$/.exec(new URL(r.url).pathname)?.[1] ?? 'html';
    byKind.set(kind, (byKind.get(kind) ?? 0) + r.bytes);
  }
  const kb = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  const others = responses.filter((r) => prefetched(r.url));
  console.log(
    `/05-dpo: ${own.length} requests, ${kb(sum(own, 'bytes'))} (${kb(sum(own, 'gzipped'))} gzipped): ` +
      `${[...byKind].map(([k, n]) => `${k} ${kb(n)}`).join(', ')}; ` +
      `and ${others.length} other chapters prefetched, ${kb(sum(others, 'bytes'))} (${kb(sum(others, 'gzipped'))} gzipped)`,
  );
  expect(responses.filter((r) => /worker|\.wasm$/.test(r.url)).map((r) => r.url), 'the Run worker, before Run').toEqual([]);
  expect(sum(own, 'bytes'), 'bytes of a chapter page, uncompressed').toBeLessThan(2 * 1024 * 1024);
});

test('screenshots: the home page and chapter 05 (in .ci-results/screenshots)', async () => {
  for (const [path, name] of [['/', 'home'], ['/05-dpo', '05-dpo']] as const) {
    await visit(site, path, async (page) => {
      await scrollThrough(page);
      await drawFigures(page);
      await page.evaluate(() => window.scrollTo(0, 0));
      await screenshot(page, name);
    });
  }
});
