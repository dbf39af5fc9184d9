/**
 * Reading fences. An unclosed fence runs to the end of the document (or of
 * its container), so remark still makes a code node of it; we look at the
 * node's raw source instead: a closed fence ends with a line that is a fence
 * of the same character, at least as long as the opening one.
 *
 * A closing fence missing in the middle of a chapter does not run to the end:
 * the block swallows the prose and fences that follow, up to the next bare
 * fence, and the pairing of every fence after it shifts by one. Whatever it
 * swallows, a fence line lands inside a block, or the last fence is left
 * unterminated. So a fenced block may not hold a line that could be a fence
 * unless its own fence is longer than that line's (the CommonMark way of
 * showing fences inside a block).
 */

/** A fence: its character and length. */
export interface Fence {
  char: '`' | '~';
  size: number;
}

/** The fence a line starts with, after indentation and container marks (`>`). */
export function fenceOf(line: string): Fence | undefined {
  const match = /^[ \t>]*(`{3,}|~{3,})/.exec(line);
  if (!match) return undefined;
  const fence = match[1]!;
  return { char: fence[0] as '`' | '~', size: fence.length };
}

/**
 * The opening fence of a code node's raw source, or undefined for indented
 * code: a fenced node starts at its fence, an indented one at its indentation.
 */
export function openingFence(raw: string): Fence | undefined {
  return /^[`~]/.test(raw) ? fenceOf(raw.split('\n', 1)[0]!) : undefined;
}

/** Whether a fenced code node's raw source lacks its closing fence. */
export function isUnterminated(raw: string): boolean {
  const opening = openingFence(raw);
  if (!opening) return false;
  const lines = raw.replace(/\n$/, '').split('\n');
  if (lines.length < 2) return true;
  // Container prefixes (`>` of block quotes, indentation) precede the fence.
  const last = lines[lines.length - 1]!.replace(/^[ \t>]*/, '').trimEnd();
  if (last.length < opening.size) return true;
  return [...last].some((char) => char !== opening.char);
}

/**
 * The index of the first line of a fenced block's content that could be a
 * fence at least as long as the block's own, or -1.
 */
export function fenceInside(lines: readonly string[], opening: Fence): number {
  return lines.findIndex((line) => {
    const inner = /^[ \t]*(`{3,}|~{3,})/.exec(line);
    return inner !== null && inner[1]!.length >= opening.size;
  });
}
