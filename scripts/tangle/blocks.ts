/**
 * Reading a chapter's `ts` blocks and their marks.
 */
import type { Code } from 'mdast';
import { visit } from 'unist-util-visit';
import { openingFence, isUnterminated } from './fence.ts';
import { isTypeScript, parseInfo, type InfoToken } from './info.ts';
import { parseMarkdown } from './markdown.ts';
import { checkTarget } from './paths.ts';
import type { BlockMark, ChapterSource, CodeBlock, TangleError } from './types.ts';

/** The `ts` blocks of a chapter, in reading order, and problems with them. */
export interface ChapterBlocks {
  blocks: CodeBlock[];
  errors: TangleError[];
}

/** Read the `ts` blocks of one chapter (line endings are normalised to LF). */
export function readBlocks(input: ChapterSource): ChapterBlocks {
  const chapter = { path: input.path, source: input.source.replace(/\r\n?/g, '\n') };
  const blocks: CodeBlock[] = [];
  const errors: TangleError[] = [];
  const tree = parseMarkdown(chapter.source);

  visit(tree, 'code', (node: Code) => {
    const start = node.position?.start;
    const end = node.position?.end;
    if (!start || !end || start.offset === undefined || end.offset === undefined) return;
    const raw = chapter.source.slice(start.offset, end.offset);
    const fence = openingFence(raw);
    if (!fence) return; // indented code: never tangled
    if (isUnterminated(raw)) {
      errors.push({
        file: chapter.path,
        line: start.line,
        column: start.column,
        message: `unterminated fence: this ${fence.char.repeat(fence.size)} block is never closed`,
      });
      return;
    }
    if (!isTypeScript(node.lang)) return;

    const firstLine = chapter.source.split('\n', start.line)[start.line - 1] ?? '';
    const metaColumn = (offset: number): number => {
      const at = node.meta ? firstLine.indexOf(node.meta) : -1;
      return at === -1 ? start.column : at + offset + 1;
    };
    const problem = (message: string, offset = 0): void => {
      errors.push({ file: chapter.path, line: start.line, column: metaColumn(offset), message });
    };

    const mark = readMark(node.meta, problem);
    if (!mark) return;
    blocks.push({
      file: chapter.path,
      fenceLine: start.line,
      line: start.line + 1,
      lines: node.value === '' ? [] : node.value.split('\n'),
      mark,
    });
  });

  return { blocks, errors };
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
