// The book promises only chapters it has (issue 14): a sentence that points a reader at a
// part of the book not written yet says "to come", and so does the home page's card for
// it. What is written is read from chapters/ itself, so the rules relax as chapters land.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Root } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { visit } from 'unist-util-visit';
import { describe, expect, it } from 'vitest';
import { PARTS, frontMatter, readChapters, resolveHomeLinks, type HomeFrontMatter } from '../.vitepress/chapters.ts';
import { parseMarkdown } from '../scripts/tangle/markdown.ts';
import { chapterFiles, ROOT } from '../scripts/run-chapter.ts';

const chapters = readChapters(join(ROOT, 'chapters'));
const written = (part: string): boolean => {
  const range = PARTS.find((p) => p.text === part)!;
  return chapters.some((c) => c.number >= range.from && c.number <= range.to);
};

/** Methods each later part teaches: a sentence that sends the reader to one needs its part. */
const TAUGHT_IN: Record<string, RegExp> = {
  'Online methods': /\b(?:ReMax|RLOO|GRPO|REINFORCE\+\+|best-of-n|rejection sampling|iterative DPO|ArmoRM)\b/,
  Practice: /\b(?:KTO|LoRA|learning-rate schedules?|warmup|data recipes?)\b/,
};
/** Words that point into the book rather than at a method in general. */
const POINTER =
  /\bin this book\b|\blater chapters?\b|\bnext chapters\b|\bpart (?:four|five)\b|\bpractice chapters\b|\bchapters? (?:on|of) (?:the )?online\b|\bwe return to\b|\bafter it\b/i;

/** The sentences of a chapter's prose (paragraphs, list items, table rows, headings). */
function sentences(tree: Root): string[] {
  const found: string[] = [];
  visit(tree, (node) => {
    if (node.type !== 'paragraph' && node.type !== 'tableRow' && node.type !== 'heading') return;
    const text = node.type === 'tableRow' ? node.children.map((cell) => toString(cell)).join(' | ') : toString(node);
    found.push(...text.replace(/\s+/g, ' ').split(/(?<=[.!?])\s+(?=[A-Z(])/));
    return 'skip';
  });
  return found;
}

describe('promises of chapters not written yet', () => {
  for (const path of chapterFiles()) {
    const name = path.slice(path.lastIndexOf('/') + 1);
    it(`${name}: every pointer to a part still to come says so`, () => {
      const unkept = sentences(parseMarkdown(readFileSync(path, 'utf8'))).filter((sentence) => {
        if (!POINTER.test(sentence) || /\bto come\b/.test(sentence)) return false;
        const missing = /\bchapter (\d\d)\b/g;
        for (const m of sentence.matchAll(missing)) if (!chapters.some((c) => c.nn === m[1])) return true;
        return Object.entries(TAUGHT_IN).some(([part, methods]) => !written(part) && methods.test(sentence));
      });
      expect(unkept).toEqual([]);
    });
  }

  it('the rule sees a promise, and lets one that says "to come" pass', () => {
    const check = (text: string) => sentences(parseMarkdown(text)).filter((s) => POINTER.test(s) && !/\bto come\b/.test(s));
    expect(check('GRPO, in part four, uses k3. Plain text.')).toEqual(['GRPO, in part four, uses k3.']);
    expect(check('GRPO, in part four, still to come, uses k3.')).toEqual([]);
    expect(check('| examples in this book | GRPO |\n| - | - |\n')).toEqual(['examples in this book | GRPO']);
  });
});

describe('the home page', () => {
  it('a card for a part with no chapter yet has no link and says "to come"', () => {
    const fm: HomeFrontMatter = {
      hero: { actions: [{ link: '/chapter/00' }, { link: '/chapter/42' }] },
      features: [
        { title: 'Here', link: '/chapter/00', linkText: 'Part one' },
        { title: 'Later', link: '/chapter/42', linkText: 'Part nine' },
        { title: 'No link' },
      ],
    };
    resolveHomeLinks(fm, chapters);
    expect(fm.hero!.actions).toEqual([{ link: chapters[0]!.link }]);
    expect(fm.features).toEqual([
      { title: 'Here', link: chapters[0]!.link, linkText: 'Part one' },
      { title: 'Later · to come' },
      { title: 'No link' },
    ]);
  });

  it('every card of the real home page links to a chapter, or says "to come"', () => {
    const fm = frontMatter(readFileSync(join(ROOT, 'chapters', 'index.md'), 'utf8')) as HomeFrontMatter;
    const linked = (fm.features ?? []).map((card) => card.link !== undefined);
    resolveHomeLinks(fm, chapters);
    (fm.features ?? []).forEach((card, i) => {
      if (linked[i]) expect(card.link !== undefined || card.title!.endsWith('· to come'), card.title).toBe(true);
    });
    const cards = (fm.features ?? []).map((card) => card.title);
    if (!written('Online methods')) expect(cards).toContain('Online methods · to come');
    if (!written('Practice')) expect(cards).toContain('Practice · to come');
  });

  it('introduces the source notes, and chapter 00 points to it', () => {
    const home = readFileSync(join(ROOT, 'chapters', 'index.md'), 'utf8');
    expect(home).toMatch(/^## The source notes$/m);
    expect(readFileSync(chapterFiles()[0]!, 'utf8')).toContain('(index.md#the-source-notes)');
  });
});
