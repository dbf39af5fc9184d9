/**
 * Reading what a chapter states: its claims (inline code), its output blocks
 * (` ```text output `), and its stray numbers (see `stray.ts`).
 */
import type { Code, InlineCode, Text } from 'mdast';
import { visit } from 'unist-util-visit';
import { parseInfo } from '../tangle/info.ts';
import { isUnterminated, openingFence } from '../tangle/fence.ts';
import { parseMarkdown } from '../tangle/markdown.ts';
import { normaliseSource } from '../tangle/source.ts';
import { parseClaim } from './claim.ts';
import { readNumber } from './number.ts';
import { looksLikeOutput, strayOutputMarks } from './output-marks.ts';
import { findNumbers, proseTexts } from './stray.ts';
import type { ChapterChecks, Claim, OutputBlock, StrayNumber } from './types.ts';

/** Whether inline code is nothing but a number the stray rule would flag in prose. */
function isBareNumber(code: string): boolean {
  const found = findNumbers(code.trim());
  return found.length === 1 && found[0]!.text === code.trim().replace(/^[+-]/, '');
}

/** Read the claims, output blocks and stray numbers of chapter `file`. */
export function readChecks(file: string, input: string): ChapterChecks {
  const source = normaliseSource(input);
  const tree = parseMarkdown(source);
  const lines = source.split('\n');
  const checks: ChapterChecks = { claims: [], outputs: [], stray: [], errors: [] };

  visit(tree, 'inlineCode', (node: InlineCode) => {
    const start = node.position?.start;
    if (!start) return;
    const parsed = parseClaim(node.value);
    if (parsed.kind === 'code') {
      // A bare number set as code (`0.93`) is still a number stated in the prose.
      if (isBareNumber(node.value)) {
        checks.stray.push({ file, line: start.line, column: start.column, text: node.value });
      }
      return;
    }
    if (parsed.kind === 'error') {
      checks.errors.push(`${file}:${start.line}:${start.column}: ${parsed.message}`);
      return;
    }
    const { kind: _kind, ...stated } = parsed;
    const claim: Claim = { file, line: start.line, column: start.column, raw: node.value, ...stated };
    checks.claims.push(claim);
  });

  const fenced = new Map<number, string>();
  const content = new Set<number>();
  visit(tree, 'code', (node: Code) => {
    const start = node.position?.start;
    const end = node.position?.end;
    if (!start || !end || start.offset === undefined || end.offset === undefined) return;
    const raw = source.slice(start.offset, end.offset);
    if (!openingFence(raw)) return; // indented code: an output mark in it is found below
    fenced.set(start.line, node.lang ?? '');
    const last = isUnterminated(raw) ? end.line : end.line - 1;
    for (let line = start.line + 1; line <= last; line++) content.add(line);
    if (node.lang !== 'text') return;
    const block = readOutputBlock(file, node, start.line, checks.errors);
    if (block) checks.outputs.push(block);
  });
  checks.errors.push(...strayOutputMarks(file, lines, { fenced, content }));

  for (const text of proseTexts(tree)) checks.stray.push(...strayIn(file, text, lines));
  checks.errors.sort((a, b) => lineOf(a) - lineOf(b));
  return checks;
}

/** The line of an error `file:line[:column]: …`. */
const lineOf = (error: string): number => Number(/^[^:]*:(\d+)/.exec(error)?.[1] ?? 0);

/** An output block from a `text` code node, if its info string says `output`. */
function readOutputBlock(file: string, node: Code, fenceLine: number, errors: string[]): OutputBlock | undefined {
  const info = parseInfo(node.meta);
  if (!info.ok) {
    errors.push(`${file}:${fenceLine}: ${info.message}`);
    return undefined;
  }
  const marks = info.tokens.filter((token) => token.value === undefined).map((token) => token.name);
  if (marks.includes('illustration') && info.tokens.length === 1) return undefined;
  const slip = marks.find((mark) => mark !== 'output' && looksLikeOutput(mark));
  if (slip !== undefined) {
    errors.push(`${file}:${fenceLine}: \`${slip}\` in a \`text\` block: program output is \`text output\``);
    return undefined;
  }
  if (!marks.includes('output')) {
    errors.push(
      `${file}:${fenceLine}: a \`text\` block is program output (\`text output\`, which the tests compare) ` +
        'or says it is not (`text illustration`)',
    );
    return undefined;
  }
  const block: OutputBlock = {
    file,
    line: fenceLine + 1,
    lines: node.value === '' ? [] : node.value.split('\n'),
  };
  for (const token of info.tokens) {
    if (token.name === 'output') continue;
    if (token.name === 'backend' && token.value !== undefined && /^[a-z]+$/.test(token.value)) {
      block.backend = token.value;
      continue;
    }
    const tolerance = token.name === 'tol' && token.value !== undefined ? readNumber(token.value) : undefined;
    if (tolerance && tolerance.value >= 0) block.tolerance = tolerance.value;
    else {
      errors.push(
        `${file}:${fenceLine}: unknown or malformed \`${token.name}\` in an output block (expected tol=<number> or backend=<name>)`,
      );
    }
  }
  return block;
}

/** The stray numbers of one prose text node, at their chapter positions. */
function strayIn(file: string, node: Text, lines: readonly string[]): StrayNumber[] {
  const start = node.position?.start;
  if (!start) return [];
  return findNumbers(node.value).map(({ offset, text }) => {
    const before = node.value.slice(0, offset);
    const newlines = before.split('\n').length - 1;
    const line = start.line + newlines;
    const guess = newlines === 0 ? start.column + offset : offset - before.lastIndexOf('\n');
    // Escapes, entities and container prefixes shift columns; find the text on its line.
    const source = lines[line - 1] ?? '';
    const found = source.indexOf(text, Math.max(0, guess - 1 - 8));
    const column = found === -1 ? guess : found + 1;
    return { file, line, column, text };
  });
}
