/**
 * Detecting unterminated fences. An unclosed fence runs to the end of the
 * document (or of its container), so remark still makes a code node of it; we
 * look at the node's raw source instead: a closed fence ends with a line that
 * is a fence of the same character, at least as long as the opening one.
 */

/** The opening fence of a code node's raw source, or undefined for indented code. */
export function openingFence(raw: string): { char: '`' | '~'; size: number } | undefined {
  const first = raw.split('\n', 1)[0] ?? '';
  const match = /^[ \t>]*(`{3,}|~{3,})/.exec(first);
  if (!match) return undefined;
  const fence = match[1]!;
  return { char: fence[0] as '`' | '~', size: fence.length };
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
