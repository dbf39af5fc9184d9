/**
 * Tangler marks where the tangler does not look. A line that opens like a
 * fence and carries `file=`, `chunk=` or `read-only`, but is not the opening
 * fence of a `ts` block (another language, `ts{2,3}`, an indented fence, a
 * fence inside HTML), would vanish from `src/` without a word; it is an error.
 * Lines inside fenced blocks are content, not fences, and are left alone.
 */
import type { TangleError } from './types.ts';

/** What the code nodes of a chapter say about its lines (1-based). */
export interface FenceLines {
  /** Opening lines of fenced `ts` blocks. */
  typescript: ReadonlySet<number>;
  /** Opening lines of other fenced blocks, with their language word. */
  other: ReadonlyMap<number, string>;
  /** Content lines of fenced blocks. */
  content: ReadonlySet<number>;
}

/** A fence after container marks and list markers, and the rest of its line. */
export const fencePattern = /^[ \t>]*(?:(?:[-+*]|\d{1,9}[.)])[ \t]+[ \t>]*)?(?:`{3,}|~{3,})(.*)$/;
const markPattern = /(?:^|[\s{}:,])(?:file=|chunk=|read-only(?:\s|$))/;

/** Errors for every line of `lines` that carries a tangler mark the tangler will not read. */
export function strayMarks(file: string, lines: readonly string[], fences: FenceLines): TangleError[] {
  const errors: TangleError[] = [];
  lines.forEach((text, index) => {
    const line = index + 1;
    if (fences.typescript.has(line) || fences.content.has(line)) return;
    const info = fencePattern.exec(text)?.[1];
    if (info === undefined || !markPattern.test(info)) return;
    const lang = fences.other.get(line);
    const why =
      lang === undefined
        ? 'this fence is not read as a fenced block (indented code, HTML, or a backtick in the info string)'
        : `the language \`${lang}\` is not ts or typescript`;
    errors.push({
      file,
      line,
      message: `block with a tangler mark is not tangled: ${why}; open it with \`\`\`ts at most three spaces in`,
    });
  });
  return errors;
}
