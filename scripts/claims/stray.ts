/**
 * Stray numbers: numbers in the prose that no claim checks.
 *
 * The rule, applied to the text of prose (paragraphs, headings, list items,
 * table cells, block quotes, emphasis, link text — never to inline or fenced
 * code, inline or display math, HTML blocks and tags, front matter, URLs, or
 * the text of an autolink; text between inline HTML tags is prose), flags:
 *
 * - decimal numbers: `0.93`, `12.5` (also in `-0.5`, `1.5x`);
 * - percentages: `93%`, `12.5%`;
 * - scientific notation: `1e-3`, `2.5e4`.
 *
 * It leaves alone integers (`37 steps`), numbers glued to a word or a dot
 * before them (`v1.2`, `x2.5`, `GPT-4o`), and version-like runs of several
 * dots (`1.2.3`). Write a computed number as a claim, a parameter in math
 * (`$\gamma = 0.9$`) or code.
 */
import type { Link, Root, Text } from 'mdast';
import { visit } from 'unist-util-visit';

/** One number found in a piece of text. */
export interface NumberMatch {
  /** Offset in the text. */
  offset: number;
  text: string;
}

const strayPattern =
  /(?<![\w.])(?:\d+(?:\.\d+)?%|\d+(?:\.\d+)?[eE][+-]?\d+|\d+\.\d+)(?!\d|\.\d)/g;

/** The stray-looking numbers of a piece of prose text. */
export function findNumbers(text: string): NumberMatch[] {
  return [...text.matchAll(strayPattern)].map((match) => ({ offset: match.index, text: match[0] }));
}

/** The text nodes of `tree` that are prose (see the module comment). */
export function proseTexts(tree: Root): Text[] {
  const texts: Text[] = [];
  visit(tree, 'text', (node, _index, parent) => {
    if (parent?.type === 'link' && isAutolink(parent, node)) return;
    texts.push(node);
  });
  return texts;
}

/** Whether a link's text is its URL (`<https://…>`, `www.…`, an e-mail address). */
function isAutolink(link: Link, text: Text): boolean {
  const url = link.url.replace(/^(?:https?:\/\/|mailto:)/, '');
  const value = text.value.replace(/^(?:https?:\/\/|mailto:)/, '');
  return url === value;
}
