// The chapter pages laid out as a reader sees them, at a desktop's 1280 px and a phone's
// 390 px: equations, tables and code within the reading column, program output with its
// own spacing, no link to a repository the book does not have. Prints the measurements.
// Run by `pnpm test:browser`.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Code } from 'mdast';
import { visit as visitTree } from 'unist-util-visit';
import { describe, expect, test } from 'vitest';
import { parseFenceInfo } from '../../.vitepress/markdown/fences.ts';
import { findRepository } from '../../.vitepress/repository.ts';
import { parseMarkdown } from '../../scripts/tangle/markdown.ts';
import { launchChromium } from './support/browser.ts';
import { bookPages } from './support/book.ts';
import { LAYOUT_HEADER, LAYOUT_LEGEND, layoutLine, measureLayout, type Layout } from './support/layout.ts';
import { ROOT } from './support/server.ts';
import { look, screenshot, siteForTests, visit, type Visit } from './support/site.ts';

const chapters = bookPages().filter((p) => p.chapter);
const site = siteForTests();

const DESKTOP = 1280;
const PHONE = 390;

const measured = new Map<string, Promise<Visit<Layout>>>();

/** The layout of chapter `path` at `width` px, measured once for all tests. */
function layout(path: string, width: number): Promise<Layout> {
  const key = `${width} ${path}`;
  let pending = measured.get(key);
  if (!pending) {
    pending = look(site, path, (page) => measureLayout(page), width);
    measured.set(key, pending);
  }
  return pending.then((v) => v.value);
}

/** Where an overflow is, for a failure message: `width px in box px: text…`. */
const describeOverflow = (o: { what: string; width: number; box: number }) => `${o.width} px in ${o.box} px: ${o.what}`;

for (const chapter of chapters) {
  describe(chapter.path, () => {
    test(`shows every display equation whole at ${DESKTOP} px: none wider than the reading column`, async () => {
      const l = await layout(chapter.path, DESKTOP);
      expect(l.equationsOver.map(describeOverflow), `display equations wider than the ${l.column} px column`).toEqual([]);
    });

    test(`cuts no display equation off at ${PHONE} px: a wide one scrolls in its own box, within the window`, async () => {
      const l = await layout(chapter.path, PHONE);
      expect(l.equationsCut.map(describeOverflow), `displays cut off in a ${l.viewport} px window`).toEqual([]);
    });

    test(`keeps its tables within the reading column at ${DESKTOP} px`, async () => {
      const l = await layout(chapter.path, DESKTOP);
      expect(l.tablesOver.map(describeOverflow), `tables not within the ${l.column} px column`).toEqual([]);
    });
  });
}

/** What each ```` ```text output ```` fence of a chapter says, spacing and all, in order. */
function outputFences(name: string): string[] {
  const found: string[] = [];
  visitTree(parseMarkdown(readFileSync(join(ROOT, 'chapters', `${name}.md`), 'utf8')), 'code', (node: Code) => {
    if (parseFenceInfo(`${node.lang ?? ''} ${node.meta ?? ''}`).kind === 'output') found.push(node.value);
  });
  return found;
}

describe('output blocks keep the program\u2019s own spacing', () => {
  for (const chapter of chapters) {
    const fences = outputFences(chapter.name);
    if (fences.length === 0) continue;
    test(`${chapter.path}: each output block reads as its fence, spaces included`, async () => {
      const shown = await visit(site, chapter.path, async (page) => {
        // Now and then the page is still rendering its content after the network is idle (seen
        // on a loaded machine: no block, then all of them a moment later): wait for the blocks,
        // then read them; a block that never comes shows in the comparison below.
        await page
          .waitForFunction((n) => document.querySelectorAll('.vp-doc .fence-output pre').length >= n, fences.length, {
            timeout: 10_000,
          })
          .catch(() => undefined);
        return page.evaluate(() =>
          Array.from(document.querySelectorAll<HTMLElement>('.vp-doc .fence-output pre'), (pre) => pre.innerText),
        );
      });
      expect(shown.map((text) => text.replace(/\n$/, ''))).toEqual(fences);
    });
  }

  // Spaces kept in the text are not enough: set in a proportional face, columns collapse on
  // screen. The site serves Noto Sans SC (for the Chinese terms), which covers Latin too; on a
  // machine without the monospace faces the stack names, code fell through to it. Chromium is
  // shown only the DejaVu fonts here, as on such a machine.
  const dejavu = ['/usr/share/fonts/truetype/dejavu', '/usr/share/fonts/dejavu'].find((dir) => existsSync(dir));
  test.skipIf(!dejavu)('output is set in a monospace face where the only fonts are DejaVu\u2019s: every line as wide as its characters', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rlhf-fonts-'));
    const config = join(dir, 'fonts.conf');
    writeFileSync(
      config,
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig><dir>${dejavu}</dir><cachedir>${dir}/cache</cachedir></fontconfig>\n`,
    );
    const browser = await launchChromium({ FONTCONFIG_FILE: config });
    try {
      const uneven: string[] = [];
      for (const chapter of chapters.filter((c) => outputFences(c.name).length > 0)) {
        const page = await browser.newPage({ viewport: { width: DESKTOP, height: 800 } });
        await page.goto(site.url + chapter.path, { waitUntil: 'networkidle' });
        // The width of each line of plain ASCII per character: one figure for a monospace face.
        const advances = await page.evaluate(() =>
          Array.from(document.querySelectorAll<HTMLElement>('.vp-doc .fence-output .line'))
            .map((line) => ({ text: line.textContent ?? '', width: line.getBoundingClientRect().width }))
            .filter((l) => l.text.length >= 8 && /^[\x20-\x7e]+$/.test(l.text))
            .map((l) => ({ text: l.text, advance: l.width / l.text.length })),
        );
        await page.close();
        const sorted = advances.map((a) => a.advance).sort((a, b) => a - b);
        const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
        for (const a of advances) {
          if (Math.abs(a.advance - median) > 0.01 * median) {
            uneven.push(`${chapter.path}: ${a.advance.toFixed(2)} px a character, not ${median.toFixed(2)}: ${a.text.trim().slice(0, 60)}`);
          }
        }
      }
      expect(uneven.slice(0, 10), `${uneven.length} output lines not set in a monospace face`).toEqual([]);
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test(`at most one code block in ten scrolls sideways at ${DESKTOP} px`, async () => {
  let blocks = 0;
  let scrolling = 0;
  const worst: string[] = [];
  for (const chapter of chapters) {
    const l = await layout(chapter.path, DESKTOP);
    blocks += l.codeBlocks;
    scrolling += l.codeScrolling.length;
    worst.push(...l.codeScrolling.map((o) => `${chapter.name}: ${describeOverflow(o)}`));
  }
  console.log(`code blocks scrolling sideways at ${DESKTOP} px: ${scrolling} of ${blocks} (at most ${Math.floor(blocks / 10)} allowed)`);
  expect(scrolling, `${scrolling} of ${blocks} code blocks scroll sideways, e.g.\n${worst.slice(0, 5).join('\n')}`).toBeLessThanOrEqual(blocks / 10);
});

test('the measurements: reading column, and what does not fit it, per chapter', async () => {
  const lines: string[] = [];
  for (const width of [DESKTOP, PHONE]) {
    lines.push(`at ${width} px`, LAYOUT_HEADER);
    for (const chapter of chapters) lines.push(layoutLine(chapter.name, await layout(chapter.path, width)));
  }
  console.log(`${lines.join('\n')}\n${LAYOUT_LEGEND}`);
  expect((await layout(chapters[0]!.path, DESKTOP)).column).toBeGreaterThan(0);
});

describe('links to the repository', () => {
  const repo = findRepository(ROOT);

  test('no link points at a placeholder repository (OWNER/…)', async () => {
    for (const path of ['/', ...chapters.map((c) => c.path)]) {
      const hrefs = await visit(site, path, (page) =>
        page.evaluate(() => Array.from(document.querySelectorAll('a[href]'), (a) => (a as HTMLAnchorElement).href)),
      );
      expect(hrefs.filter((href) => /\/OWNER\//i.test(href)), path).toEqual([]);
    }
  });

  test(
    repo
      ? `"Source", the repository icon and "Edit this chapter" point at ${repo.url}`
      : 'with no repository (package.json names none, no git remote): no "Source", no repository icon, no "Edit this chapter"',
    async () => {
      const anchors = await visit(site, chapters[0]!.path, (page) =>
        page.evaluate(() =>
          Array.from(document.querySelectorAll<HTMLAnchorElement>('a[href]'), (a) => ({
            href: a.href,
            text: a.textContent?.trim() ?? '',
            icon: a.classList.contains('VPSocialLink'),
          })),
        ),
      );
      const source = anchors.filter((a) => a.text === 'Source').map((a) => a.href);
      const edit = anchors.filter((a) => a.text === 'Edit this chapter').map((a) => a.href);
      const icons = anchors.filter((a) => a.icon).map((a) => a.href);
      if (!repo) {
        expect({ source, edit, icons }).toEqual({ source: [], edit: [], icons: [] });
        expect(anchors.filter((a) => /^https?:\/\/(github|gitlab)\.com\//.test(a.href)), 'links to a repository host').toEqual([]);
      } else {
        expect(source.length, '"Source" links').toBeGreaterThan(0);
        expect(source.filter((href) => href !== repo.url)).toEqual([]);
        expect(icons).toEqual([repo.url]);
        expect(edit.length, '"Edit this chapter" links').toBeGreaterThan(0);
        expect(edit.filter((href) => !href.startsWith(`${repo.url}/`))).toEqual([]);
      }
    },
  );
});

test(`screenshots: chapter 05 at ${DESKTOP} px and ${PHONE} px, at the DPO loss (in .ci-results/screenshots)`, async () => {
  for (const width of [DESKTOP, PHONE]) {
    await visit(
      site,
      '/05-dpo',
      async (page) => {
        // The display after "Writing h for the log-ratio margin": the loss itself.
        const loss = page.locator('.vp-doc .katex-block', { hasText: 'DPO' }).first();
        await loss.evaluate((e) => e.scrollIntoView({ block: 'center' }));
        await screenshot(page, `05-dpo-${width}px`, 'window');
      },
      width,
    );
  }
});
