/**
 * Tangler marks where the tangler does not look. A line that opens like a
 * fence and carries `file=`, `chunk=` or `read-only`, but is not the opening
 * fence of a `ts` block (another language, `ts{2,3}`, an indented fence, a
 * fence inside HTML), would vanish from `src/` without a word; it is an error.
 * Lines inside fenced blocks are content, not fences, and are left alone.
 * `unreadFences` finds such lines for any kind of block (the claims checker
 * uses it for output blocks).
 */
import { isTypeScript } from './info.ts';
import type { TangleError } from './types.ts';

/** What the code nodes of a chapter say about its lines (1-based). */
export interface FenceLines {
  /** Opening lines of fenced blocks, with their language word ('' for none). */
  fenced: ReadonlyMap<number, string>;
  /** Content lines of fenced blocks. */
  content: ReadonlySet<number>;
}

/** A fence after container marks and list markers, and the rest of its line. */
export const fencePattern = /^[ \t>]*(?:(?:[-+*]|\d{1,9}[.)])[ \t]+[ \t>]*)?(?:`{3,}|~{3,})(.*)$/;
const markPattern = /(?:^|[\s{}:,])(?:file=|chunk=|read-only(?:\s|$))/;

/** Why a line that opens like a fence is read as no fenced block at all. */
export const NOT_A_FENCED_BLOCK =
  'this fence is not read as a fenced block (indented code, HTML, or a backtick in the info string)';

/** A line that opens like a fence, but not a fenced block of the kind looked for. */
export interface UnreadFence {
  line: number;
  /** The rest of the line after the fence. */
  info: string;
  /** The language of the fenced block it opens; undefined when it opens none. */
  lang: string | undefined;
}

/**
 * Every line that opens like a fence, is not inside a fenced block, and does not open a
 * fenced block whose language `isRead` accepts.
 */
export function unreadFences(
  lines: readonly string[],
  fences: FenceLines,
  isRead: (lang: string) => boolean,
): UnreadFence[] {
  const unread: UnreadFence[] = [];
  lines.forEach((text, index) => {
    const line = index + 1;
    const lang = fences.fenced.get(line);
    if (fences.content.has(line) || (lang !== undefined && isRead(lang))) return;
    const info = fencePattern.exec(text)?.[1];
    if (info !== undefined) unread.push({ line, info, lang });
  });
  return unread;
}

/** Errors for every line of `lines` that carries a tangler mark the tangler will not read. */
export function strayMarks(file: string, lines: readonly string[], fences: FenceLines): TangleError[] {
  return unreadFences(lines, fences, isTypeScript)
    .filter(({ info }) => markPattern.test(info))
    .map(({ line, lang }) => {
      const why = lang === undefined ? NOT_A_FENCED_BLOCK : `the language \`${lang}\` is not ts or typescript`;
      return {
        file,
        line,
        message: `block with a tangler mark is not tangled: ${why}; open it with \`\`\`ts at most three spaces in`,
      };
    });
}
