/**
 * How a chapter page is laid out, measured in the browser: the reading column, and
 * what in it does not fit it (display equations, code blocks, tables). Read by
 * test/browser/layout.test.ts, which prints the measurements of every chapter.
 */
import type { Page } from 'playwright-core';

/** Something wider than the room it has: what it is, how wide it is, and the room. */
export interface Overflow {
  /** The start of its text, to find it in the chapter. */
  what: string;
  /** Its content's width, px. */
  width: number;
  /** The width of the box it is shown in, px. */
  box: number;
}

export interface Layout {
  /** The width of the reading column (`.vp-doc`), px. */
  column: number;
  /** The viewport's width, px. */
  viewport: number;
  equations: number;
  /** Display equations (`.katex-display`) whose content is wider than the column. */
  equationsOver: Overflow[];
  /**
   * Display equations a reader cannot see whole: wider than the viewport, or wider than
   * their box where that box does not scroll (`overflow-x` neither `auto` nor `scroll`).
   */
  equationsCut: Overflow[];
  /** Highlighted blocks of code (not program output). */
  codeBlocks: number;
  /** Code blocks that scroll sideways (their `pre` is wider inside than out). */
  codeScrolling: Overflow[];
  /** Output blocks (```` ```text output ````): what the chapter's program prints. */
  outputBlocks: number;
  outputScrolling: Overflow[];
  tables: number;
  /** Tables wider than the column, or squeezed into it with content that scrolls or is cut. */
  tablesOver: Overflow[];
}

/** Measure `page` as it is laid out now (at its viewport's width). */
export function measureLayout(page: Page): Promise<Layout> {
  return page.evaluate(() => {
    const doc = document.querySelector<HTMLElement>('.vp-doc');
    const column = doc ? doc.clientWidth : 0;
    const viewport = document.documentElement.clientWidth;
    const what = (e: Element) => (e.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 60);
    const round = (n: number) => Math.round(n);
    /** The nearest ancestor that clips or scrolls sideways (or the element itself). */
    const scroller = (e: HTMLElement): HTMLElement => {
      for (let at: HTMLElement | null = e; at && at !== doc; at = at.parentElement) {
        if (getComputedStyle(at).overflowX !== 'visible') return at;
      }
      return e;
    };
    const equations = Array.from(document.querySelectorAll<HTMLElement>('.vp-doc .katex-display'));
    const equationsOver: { what: string; width: number; box: number }[] = [];
    const equationsCut: { what: string; width: number; box: number }[] = [];
    for (const display of equations) {
      const html = display.querySelector<HTMLElement>('.katex-html') ?? display;
      // The typeset line's own width: its boxes (`.base`, `.tag`) from the leftmost to the rightmost.
      const parts = Array.from(html.querySelectorAll<HTMLElement>(':scope > span'));
      const rects = (parts.length ? parts : [html]).map((p) => p.getBoundingClientRect()).filter((r) => r.width > 0);
      const left = Math.min(...rects.map((r) => r.left));
      const right = Math.max(...rects.map((r) => r.right));
      const box = scroller(display);
      const boxRect = box.getBoundingClientRect();
      // Scrolled content is measured by the scroller's scrollWidth (the rects move with the scroll).
      const width = Math.max(right - left, box === display ? 0 : box.scrollWidth);
      const entry = { what: what(display.querySelector('annotation') ?? display), width: round(width), box: round(boxRect.width) };
      if (width > column + 1) equationsOver.push(entry);
      const scrolls = ['auto', 'scroll'].includes(getComputedStyle(box).overflowX);
      const fitsViewport = boxRect.left >= -1 && boxRect.right <= viewport + 1;
      if (!fitsViewport || (width > boxRect.width + 1 && !scrolls)) equationsCut.push(entry);
    }
    const pres = Array.from(document.querySelectorAll<HTMLElement>('.vp-doc div[class*="language-"] > pre'));
    const outputs = pres.filter((pre) => pre.closest('.fence-output'));
    const code = pres.filter((pre) => !pre.closest('.fence-output'));
    const scrolling = (blocks: HTMLElement[]) =>
      blocks
        .filter((pre) => pre.scrollWidth > pre.clientWidth + 1)
        .map((pre) => ({ what: what(pre), width: pre.scrollWidth, box: pre.clientWidth }));
    const tables = Array.from(document.querySelectorAll<HTMLElement>('.vp-doc table'));
    const tablesOver = tables
      .filter((t) => t.getBoundingClientRect().width > column + 1 || t.scrollWidth > t.clientWidth + 1)
      .map((t) => ({ what: what(t), width: t.scrollWidth, box: round(t.getBoundingClientRect().width) }));
    return {
      column,
      viewport,
      equations: equations.length,
      equationsOver,
      equationsCut,
      codeBlocks: code.length,
      codeScrolling: scrolling(code),
      outputBlocks: outputs.length,
      outputScrolling: scrolling(outputs),
      tables: tables.length,
      tablesOver,
    };
  });
}

/** One line of a measurements table: the chapter and its counts. */
export function layoutLine(name: string, l: Layout): string {
  const cols = [
    name.padEnd(22),
    String(l.column).padStart(6),
    `${l.equationsOver.length}/${l.equations}`.padStart(10),
    `${l.equationsCut.length}`.padStart(6),
    `${l.codeScrolling.length}/${l.codeBlocks}`.padStart(10),
    `${l.outputScrolling.length}/${l.outputBlocks}`.padStart(11),
    `${l.tablesOver.length}/${l.tables}`.padStart(8),
  ];
  return cols.join(' ');
}

/** The header of `layoutLine`'s table. */
export const LAYOUT_HEADER = [
  'page'.padEnd(22),
  'column'.padStart(6),
  'eq. wider'.padStart(10),
  'cut'.padStart(6),
  'code wide'.padStart(10),
  'output wide'.padStart(11),
  'tables'.padStart(8),
].join(' ');

/** What the columns of `layoutLine` count. */
export const LAYOUT_LEGEND =
  'column: the reading column, px; eq. wider: display equations wider than the column / all; ' +
  'cut: displays a reader cannot see whole (wider than the window, or than a box that does not scroll); ' +
  'code wide, output wide: code and output blocks that scroll sideways / all; tables: tables wider than the column / all';
