/** The book's pages as the site should show them, read from the source (`chapters/`). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { visit } from 'unist-util-visit';
import { findFigures } from '../../../.vitepress/markdown/figures.ts';
import { parseMarkdown } from '../../../scripts/tangle/markdown.ts';
import { ROOT } from './server.ts';

export interface BookPage {
  /** The site path: `/` or `/NN-name`. */
  path: string;
  /** `index` or `NN-name`. */
  name: string;
  /** Whether it is a chapter (`NN-name.md`), not the home page. */
  chapter: boolean;
  /** Whether its prose has `$…$` or `$$…$$` math. */
  math: boolean;
  /** How many ```` ```yaml figure ```` blocks it has. */
  figures: number;
}

/** Whether a Markdown source has math (code blocks and inline code are not math). */
function hasMath(source: string): boolean {
  let found = false;
  visit(parseMarkdown(source), ['math', 'inlineMath'], () => {
    found = true;
  });
  return found;
}

/** `chapters/index.md` → `/`, each `chapters/NN-name.md` → `/NN-name`, home page first. */
export function bookPages(): BookPage[] {
  const dir = join(ROOT, 'chapters');
  const files = readdirSync(dir).filter((f) => f === 'index.md' || /^\d\d-.+\.md$/.test(f));
  const pages = files.map((file): BookPage => {
    const source = readFileSync(join(dir, file), 'utf8');
    const name = file.replace(/\.md$/, '');
    const chapter = name !== 'index';
    return { path: chapter ? `/${name}` : '/', name, chapter, math: hasMath(source), figures: findFigures(source).length };
  });
  return pages.sort((a, b) => (a.path < b.path ? -1 : 1));
}
