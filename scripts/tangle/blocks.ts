/**
 * Reading a chapter's `ts` blocks and their marks.
 */
import type { Code } from 'mdast';
import { visit } from 'unist-util-visit';
import { fenceInside, isUnterminated, openingFence, type Fence } from './fence.ts';
import { isTypeScript, parseInfo, type InfoToken } from './info.ts';
import { parseMarkdown } from './markdown.ts';
import { checkTarget } from './paths.ts';
import { normaliseSource } from './source.ts';
import { strayMarks } from './stray.ts';
import type { BlockMark, ChapterSource, CodeBlock, TangleError } from './types.ts';

/** The `ts` blocks of a chapter, in reading order, and problems with them. */
export interface ChapterBlocks {
  blocks: CodeBlock[];
  errors: TangleError[];
}

/**
 * Read the `ts` blocks of one chapter (a leading BOM is dropped and line
 * endings are made LF first, so that the parser's offsets index the text).
 */
export function readBlocks(input: ChapterSource): ChapterBlocks {
  const path = input.path;
  const source = normaliseSource(input.source);
  const lines = source.split('\n');
  const blocks: CodeBlock[] = [];
  const errors: TangleError[] = [];
  const fenced = new Map<number, string>();
  const content = new Set<number>();
  const at = (line: number, message: string, column?: number): void => {
    errors.push({ file: path, line, ...(column === undefined ? {} : { column }), message });
  };

  visit(parseMarkdown(source), 'code', (node: Code) => {
    const start = node.position?.start;
    const end = node.position?.end;
    if (!start || !end || start.offset === undefined || end.offset === undefined) return;
    const raw = source.slice(start.offset, end.offset);
    if (!lines[start.line - 1]?.endsWith(raw.split('\n', 1)[0]!)) {
      at(start.line, 'the Markdown parser\'s position and the text disagree here; nothing is tangled', start.column);
      return;
    }
    const fence = openingFence(raw);
    if (!fence) return; // indented code: never tangled (a mark in it is found by strayMarks)
    const closed = !isUnterminated(raw);
    for (let line = start.line + 1; line < end.line + (closed ? 0 : 1); line++) content.add(line);
    fenced.set(start.line, node.lang ?? '');
    if (!closed) {
      at(start.line, `unterminated fence: this ${fenceText(fence)} block is never closed`, start.column);
      return;
    }
    const code = node.value === '' ? [] : node.value.split('\n');
    const inside = fenceInside(code, fence);
    if (inside !== -1) {
      at(
        start.line + 1 + inside,
        `a fence inside the ${fenceText(fence)} block opened at line ${start.line}: ` +
          'is that block\'s closing fence missing? (to show a fence in a block, open it with a longer fence)',
      );
      return;
    }
    if (!isTypeScript(node.lang)) return;

    const firstLine = lines[start.line - 1] ?? '';
    const metaColumn = (offset: number): number => {
      const found = node.meta ? firstLine.indexOf(node.meta) : -1;
      return found === -1 ? start.column : found + offset + 1;
    };
    const mark = readMark(node.meta, (message, offset = 0) => at(start.line, message, metaColumn(offset)));
    if (!mark) return;
    blocks.push({ file: path, fenceLine: start.line, line: start.line + 1, lines: code, mark });
  });

  errors.push(...strayMarks(path, lines, { fenced, content }));
  return { blocks, errors };
}

/** ```` ``` ```` or `~~~` as written. */
function fenceText(fence: Fence): string {
  return fence.char.repeat(fence.size);
}

/** The mark of a `ts` block from its meta, reporting problems through `problem`. */
function readMark(
  meta: string | null | undefined,
  problem: (message: string, offset?: number) => void,
): BlockMark | undefined {
  const info = parseInfo(meta);
  if (!info.ok) {
    problem(info.message, info.offset);
    return undefined;
  }
  const marks: Array<{ mark: BlockMark; token: InfoToken }> = [];
  let valid = true;
  for (const token of info.tokens) {
    const mark = markOf(token, problem);
    if (mark === undefined) valid = false;
    else marks.push({ mark, token });
  }
  if (!valid) return undefined;
  if (marks.length === 0) {
    problem('ts block has no target: mark it `file=src/….ts`, `chunk="name"` or `read-only`');
    return undefined;
  }
  if (marks.length > 1) {
    const names = marks.map(({ token }) => token.name).join(', ');
    problem(`ts block has more than one mark (${names}); use exactly one`, marks[1]!.token.offset);
    return undefined;
  }
  return marks[0]!.mark;
}

/** The mark one info token stands for, or undefined after reporting a problem. */
function markOf(
  token: InfoToken,
  problem: (message: string, offset?: number) => void,
): BlockMark | undefined {
  switch (token.name) {
    case 'file': {
      if (token.value === undefined) {
        problem('`file` needs a value: `file=src/….ts`', token.offset);
        return undefined;
      }
      const reason = checkTarget(token.value);
      if (reason) {
        problem(reason, token.offset);
        return undefined;
      }
      return { kind: 'file', target: token.value };
    }
    case 'chunk': {
      const name = token.value?.trim();
      if (!name) {
        problem('`chunk` needs a name: `chunk="name"`', token.offset);
        return undefined;
      }
      return { kind: 'chunk', name };
    }
    case 'read-only': {
      if (token.value !== undefined) {
        problem('`read-only` is a flag and takes no value', token.offset);
        return undefined;
      }
      return { kind: 'read-only' };
    }
    default:
      problem(
        `unknown attribute \`${token.name}\` in a ts block (expected file=, chunk= or read-only)`,
        token.offset,
      );
      return undefined;
  }
}
