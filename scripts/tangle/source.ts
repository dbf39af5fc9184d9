/**
 * What a chapter's text must be before the Markdown parser sees it: valid
 * UTF-8, no NUL, LF line endings, no byte order mark. The parser skips a
 * leading BOM without counting it, and turns NUL into U+FFFD, so either would
 * make its positions disagree with slices of the text, or write replacement
 * characters into `src/`.
 */

/** Strict, and keeping a BOM: `src/` is compared byte for byte; chapters drop it in `normaliseSource`. */
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The text of `bytes`, or why it is not UTF-8 text. */
export function decodeText(bytes: Uint8Array): { ok: true; text: string } | { ok: false; reason: string } {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return { ok: false, reason: `not valid UTF-8 (line ${firstInvalidLine(bytes)}); save it as UTF-8` };
  }
  const nul = text.indexOf('\0');
  if (nul !== -1) {
    const line = text.slice(0, nul).split('\n').length;
    return { ok: false, reason: `NUL character on line ${line}: UTF-16 or binary, not UTF-8 text` };
  }
  return { ok: true, text };
}

/** `text` with a leading BOM dropped and CRLF or CR line endings made LF. */
export function normaliseSource(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

/** The line of the first byte where `bytes` stops being valid UTF-8. */
function firstInvalidLine(bytes: Uint8Array): number {
  let low = 0;
  let high = bytes.length;
  // The longest prefix that is valid so far (it may end inside a character), by bisection.
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (validPrefix(bytes.subarray(0, middle))) low = middle;
    else high = middle - 1;
  }
  return bytes.subarray(0, low).filter((byte) => byte === 0x0a).length + 1;
}

function validPrefix(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}
