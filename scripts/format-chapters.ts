/**
 * `pnpm format:chapters [--check] [chapter…]`: format the TypeScript of the chapters' ```ts
 * blocks with Prettier, so that teaching code fits the page (90 characters a line). Only
 * the code inside the fences changes; prose, math and other blocks are left as they are.
 * A block that is not a whole TypeScript text on its own (the middle of a class, say) is
 * left alone and named. Prettier does not break comments: a comment that runs past the width
 * is wrapped here (a one-line doc comment becomes a block, a comment after code moves above
 * it). Lines still too wide (a long string, say) are listed: break those by hand. `--check`
 * writes nothing and fails when a block would change.
 */
import { readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { parseArgs } from 'node:util';
import type { Code } from 'mdast';
import { format } from 'prettier';
import { visit } from 'unist-util-visit';
import { chapterFiles, findChapter, ROOT } from './run-chapter.ts';
import { isTypeScript } from './tangle/info.ts';
import { parseMarkdown } from './tangle/markdown.ts';
import { writeWhole } from './write-whole.ts';

/** The width the book's code is set to. */
export const CODE_WIDTH = 90;

/** How the book's TypeScript is written. */
const OPTIONS = { parser: 'typescript', printWidth: CODE_WIDTH, singleQuote: true, trailingComma: 'all' } as const;

/** What formatting one chapter did. */
export interface Formatted {
  source: string;
  changed: number;
  /** `line: why` for each block left alone. */
  skipped: string[];
  /** Chapter lines of code still wider than CODE_WIDTH. */
  wide: number[];
}

/** Format every top-level ```ts block of a chapter's source. */
export async function formatChapter(source: string): Promise<Formatted> {
  const lines = source.split('\n');
  const blocks: { first: number; last: number; line: number }[] = [];
  visit(parseMarkdown(source), 'code', (node: Code) => {
    const start = node.position?.start;
    const end = node.position?.end;
    if (!start || !end || !isTypeScript(node.lang) || start.column !== 1) return;
    blocks.push({ first: start.line, last: end.line - 2, line: start.line }); // content lines, 0-based
  });
  let changed = 0;
  const skipped: string[] = [];
  for (const block of blocks.reverse()) {
    const code = lines.slice(block.first, block.last + 1).join('\n');
    let formatted: string;
    try {
      formatted = wrapComments((await format(code, OPTIONS)).replace(/\n$/, ''));
      formatted = (await format(formatted, OPTIONS)).replace(/\n$/, '');
    } catch (error) {
      // Not a whole text on its own: its comments can still be wrapped.
      skipped.push(`${block.line}: ${String((error as Error).message).split('\n', 1)[0]}`);
      formatted = wrapComments(code);
    }
    if (formatted === code) continue;
    lines.splice(block.first, block.last - block.first + 1, ...formatted.split('\n'));
    changed++;
  }
  const result = lines.join('\n');
  return { source: result, changed, skipped: skipped.reverse(), wide: wideLines(result) };
}

/** `words` as lines of at most `width` characters, each starting with `prefix`. */
function fill(prefix: string, words: string[], width = CODE_WIDTH): string[] {
  const lines: string[] = [];
  let line = prefix;
  for (const word of words) {
    if (line !== prefix && line.length + 1 + word.length > width) {
      lines.push(line);
      line = prefix;
    }
    line += line === prefix ? word : ` ${word}`;
  }
  return [...lines, line];
}

/** Whether `code` leaves no string or template literal open (so a `//` after it is a comment). */
function closesQuotes(code: string): boolean {
  return [`'`, `"`, '`'].every((quote) => (code.split(quote).length - 1) % 2 === 0);
}

/** `[line, indent, code, comment]` when `line` is code with a `// comment` after it. */
function trailingComment(line: string): [string, string, string, string] | undefined {
  const indent = /^\s*/.exec(line)![0];
  for (let at = line.indexOf(' // '); at > indent.length; at = line.indexOf(' // ', at + 1)) {
    const code = line.slice(indent.length, at).trimEnd();
    if (closesQuotes(code)) return [line, indent, code, line.slice(at + 4)];
  }
  return undefined;
}

/** Wrap the comments of formatted code that run past CODE_WIDTH. */
export function wrapComments(code: string): string {
  const out: string[] = [];
  for (const line of code.split('\n')) {
    if ([...line].length <= CODE_WIDTH) {
      out.push(line);
      continue;
    }
    const doc = /^(\s*)\/\*\*\s+(.*?)\s*\*\/$/.exec(line);
    const full = /^(\s*)\/\/\s?(.*)$/.exec(line);
    const inBlock = /^(\s*) \*\s(.*)$/.exec(line);
    const trailing = trailingComment(line);
    if (doc) out.push(`${doc[1]}/**`, ...fill(`${doc[1]} * `, doc[2]!.split(' ')), `${doc[1]} */`);
    else if (full) out.push(...fill(`${full[1]}// `, full[2]!.split(' ')));
    else if (inBlock) out.push(...fill(`${inBlock[1]} * `, inBlock[2]!.split(' ')));
    else if (trailing) {
      out.push(...fill(`${trailing[1]}// `, trailing[3]!.split(' ')), `${trailing[1]}${trailing[2]}`);
    } else out.push(line);
  }
  return out.join('\n');
}

/** The chapter lines (1-based) of ```ts code wider than CODE_WIDTH. */
export function wideLines(source: string): number[] {
  const wide: number[] = [];
  const lines = source.split('\n');
  visit(parseMarkdown(source), 'code', (node: Code) => {
    const start = node.position?.start;
    const end = node.position?.end;
    if (!start || !end || !isTypeScript(node.lang)) return;
    for (let line = start.line + 1; line < end.line; line++) {
      if ([...lines[line - 1]!].length > CODE_WIDTH) wide.push(line);
    }
  });
  return wide;
}

async function main(): Promise<number> {
  const usage = 'usage: pnpm format:chapters [--check] [chapter…]';
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(usage);
    return 0;
  }
  const files = parsed.positionals.length > 0 ? parsed.positionals.map(findChapter) : chapterFiles();
  let failed = false;
  for (const file of files) {
    const name = relative(ROOT, file);
    const before = readFileSync(file, 'utf8');
    const { source, changed, skipped, wide } = await formatChapter(before);
    for (const why of skipped) console.error(`${name}:${why} (not a whole text: only its comments wrapped)`);
    for (const line of wide) console.error(`${name}:${line}: wider than ${CODE_WIDTH} characters`);
    if (changed === 0) continue;
    if (parsed.values.check) {
      console.error(`${name}: ${changed} block(s) not formatted`);
      failed = true;
    } else {
      writeWhole(file, source);
      console.log(`${basename(file)}: ${changed} block(s) formatted`);
    }
  }
  return failed ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main();
