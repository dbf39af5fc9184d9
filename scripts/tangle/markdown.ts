/**
 * The one Markdown parser of the book's scripts: CommonMark plus GFM, front
 * matter and math, so that tables, `---` blocks and `$$` blocks parse the way
 * the site renders them.
 */
import type { Root } from 'mdast';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';
import remarkParse from 'remark-parse';
import { unified } from 'unified';

const processor = unified()
  .use(remarkParse)
  .use(remarkFrontmatter, ['yaml', 'toml'])
  .use(remarkGfm)
  .use(remarkMath)
  .freeze();

/** Parse Markdown into an mdast tree with positions. */
export function parseMarkdown(source: string): Root {
  return processor.parse(source);
}
