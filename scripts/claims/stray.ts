/**
 * Stray numbers: numbers in the prose that no claim checks.
 *
 * The rule, applied to the text of prose (paragraphs, headings, list items,
 * table cells, block quotes, emphasis, link text — never to inline or fenced
 * code, inline or display math, HTML blocks and tags, front matter, URLs, or
 * the text of an autolink; text between inline HTML tags is prose), flags every
 * way of writing a number that is not a whole count:
 *
 * - decimals: `0.93`, `12.5`, `.93`, `1,234.5`, `0,93` (a decimal comma), also in
 *   `-0.5` and `1.5x`;
 * - percentages and per-mille: `93%`, `12.5%`, `93 %` (any space), `93 percent`,
 *   `93 per cent`, `5‰`;
 * - powers of ten: `1e-3`, `2.5E+4`, `3 × 10^-4`, `3·10⁻⁴`, `10^-3`, `10⁻³`;
 * - fractions written as one character: `½`, `¾`;
 * - any of these in full-width digits (`０.９３`, `９３％`), as Chinese text may have.
 *
 * It leaves alone integers (`37 steps`, `26,496`), numbers glued to a word or a dot
 * before them (`v1.2`, `x2.5`, `GPT-4o`), version-like runs of several dots
 * (`1.2.3`), and positive powers of ten (`10^6` is a count). Write a computed number
 * as a claim, a parameter in math (`$\gamma = 0.9$`) or code.
 */
import type { Link, Root, Text } from 'mdast';
import { visit } from 'unist-util-visit';

/** One number found in a piece of text. */
export interface NumberMatch {
  /** Offset in the text. */
  offset: number;
  text: string;
}

/** A digit, ASCII or full-width; a decimal point; a superscript digit. */
const D = String.raw`[0-9\uFF10-\uFF19]`;
const point = String.raw`[.\uFF0E]`;
const superscript = String.raw`[\u2070\u00B9\u00B2\u00B3\u2074-\u2079]`;
const mantissa = `${D}+(?:${point}${D}+)?`;
const forms = [
  String.raw`${mantissa}[ \u00A0\u2009\u202F]?[%\uFF05\u2030]`, // 93%, 93 %, ９３％, 5‰
  String.raw`${mantissa} (?:percent|per cent)\b`,
  String.raw`${mantissa}[eE][+\-\u2212]?${D}+`, // 1e-3
  String.raw`(?:${mantissa}\s?[×x·⋅]\s?)?10(?:\^\{?[\-\u2212]${D}+\}?|\u207B${superscript}+)`, // 10⁻³
  `${D}+(?:,${D}{3})*${point}${D}+`, // 0.93, 1,234.5
  `${point}${D}+`, // .93
  String.raw`0,${D}+(?!,\d)`, // 0,93
  String.raw`[\u00BC-\u00BE\u2150-\u215E]`, // ½, ¾, ⅓
];
const strayPattern = new RegExp(
  String.raw`(?<![\w.\uFF10-\uFF19\uFF0E])(?:${forms.join('|')})(?!${D}|${point}${D})`,
  'g',
);

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
