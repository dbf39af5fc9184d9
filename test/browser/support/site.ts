/** The built site served and open in Chromium, and a way to visit one of its pages. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { launchChromium, watchPage } from './browser.ts';
import { ROOT, serveSite } from './server.ts';

/** Where screenshots go (`.ci-results/` is git-ignored and kept by CI). */
export const SCREENSHOTS = join(ROOT, '.ci-results', 'screenshots');

export interface Site {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  browser: Browser;
  close(): Promise<void>;
}

/** Serve the built site and launch Chromium (for a test file's `beforeAll`). */
export async function openSite(): Promise<Site> {
  const server = await serveSite();
  try {
    const browser = await launchChromium();
    return {
      url: server.url,
      browser,
      close: async () => {
        await browser.close();
        await server.close();
      },
    };
  } catch (error) {
    await server.close();
    throw error;
  }
}

/**
 * In a test file: serve the site and launch Chromium before its tests, close both
 * after them. The returned object is filled in by then (its fields are read in tests).
 */
export function siteForTests(): Site {
  const site = {} as Site;
  beforeAll(async () => {
    Object.assign(site, await openSite());
  }, 60_000);
  afterAll(async () => {
    await site.close?.();
  });
  return site;
}

/** What a visit found: the body's result, the HTTP status, and what went wrong on the page meanwhile. */
export interface Visit<T> {
  status: number | undefined;
  value: T;
  problems: string[];
}

/**
 * Open `path` in a fresh page, run `body` on it, and report what went wrong on the
 * page meanwhile (`watchPage`: console errors, uncaught exceptions, failed requests)
 * without judging it: for tests that look at one visit from several sides.
 * The window is `width` px wide (a desktop's 1280 unless told), 800 px high.
 */
export async function look<T>(site: Site, path: string, body: (page: Page) => Promise<T>, width = 1280): Promise<Visit<T>> {
  const page = await site.browser.newPage({ viewport: { width, height: 800 } });
  const problems = watchPage(page, site.url);
  try {
    const response = await page.goto(site.url + path, { waitUntil: 'networkidle' });
    const value = await body(page).catch((error: unknown) => {
      // What the page said may explain the failure.
      if (error instanceof Error && problems.length) error.message += `\nmeanwhile on ${path}:\n${problems.join('\n')}`;
      throw error;
    });
    return { status: response?.status(), value, problems };
  } finally {
    await page.close();
  }
}

/**
 * Open `path` in a fresh page (its own context), check it answers HTTP 200,
 * run `body` on it, then check nothing went wrong on the page meanwhile.
 */
export async function visit<T>(site: Site, path: string, body: (page: Page) => Promise<T>, width = 1280): Promise<T> {
  const { status, value, problems } = await look(site, path, body, width);
  expect(status, `HTTP status of ${path}`).toBe(200);
  expect(problems, `what went wrong on ${path}`).toEqual([]);
  return value;
}

/** Scroll `page` to the bottom a screen at a time, as a reader would, then back to the top. */
export async function scrollThrough(page: Page): Promise<void> {
  for (;;) {
    const atBottom = await page.evaluate(() => {
      window.scrollBy(0, window.innerHeight);
      return window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 1;
    });
    await page.waitForTimeout(50);
    if (atBottom) break;
  }
  await page.evaluate(() => window.scrollTo(0, 0));
}

/** The figures on a page once each has drawn or failed (`ResultFigure.vue`, drawn when near the viewport). */
export interface Figures {
  /** Figures whose canvas has a chart on it. */
  drawn: number;
  /** The error each failed figure shows. */
  errors: string[];
}

/**
 * Bring each `figure.result-figure` into view and wait until its canvas has
 * been drawn on (Chart.js has sized it and painted pixels) or it shows an error.
 */
export async function drawFigures(page: Page, timeout = 15_000): Promise<Figures> {
  const result: Figures = { drawn: 0, errors: [] };
  for (const figure of await page.locator('figure.result-figure').all()) {
    await figure.scrollIntoViewIfNeeded();
    const handle = await figure.elementHandle();
    const state = await page.waitForFunction(
      (element) => {
        const error = element?.querySelector('.result-figure-error');
        if (error) return `failed: ${error.textContent}`;
        const canvas = element?.querySelector('canvas');
        if (!canvas || !canvas.width || !canvas.style.width) return false;
        const pixels = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data;
        return pixels?.some((value, i) => i % 4 === 3 && value > 0) ? 'drawn' : false;
      },
      handle,
      { timeout, polling: 200 },
    );
    const value = (await state.jsonValue()) as string;
    if (value === 'drawn') result.drawn++;
    else result.errors.push(value);
  }
  return result;
}

/**
 * Save a screenshot of `page` as `.ci-results/screenshots/NAME.png`: all of it, or what the
 * window shows (`'window'`), or the element `selector` finds.
 */
export async function screenshot(page: Page, name: string, selector?: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  // The sticky nav bars would cover the top of an element taller than the window.
  if (selector === 'window') await page.screenshot({ path });
  else if (selector) await page.locator(selector).screenshot({ path, style: '.VPNav, .VPLocalNav { visibility: hidden }' });
  else await page.screenshot({ path, fullPage: true });
  return path;
}
