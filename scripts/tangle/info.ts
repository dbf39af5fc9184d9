/**
 * Reading the meta part of a fence's info string: the words after the
 * language, each a flag (`read-only`) or an attribute (`file=src/x.ts`,
 * `chunk="a name"`, `chunk=name`).
 */

/** One word of a fence's meta. */
export interface InfoToken {
  name: string;
  /** The value of `name=value`, unquoted; undefined for a flag. */
  value: string | undefined;
  /** Offset of the token in the meta string. */
  offset: number;
}

/** Tokens of a meta string, or the offset where it stops making sense. */
export type InfoParse =
  | { ok: true; tokens: InfoToken[] }
  | { ok: false; offset: number; message: string };

const token = /\s*([A-Za-z][\w-]*)(?:=("(?:[^"\\]|\\.)*"|[^\s"]+))?(?=\s|$)/y;

/** Split a fence meta string into flags and attributes. */
export function parseInfo(meta: string | null | undefined): InfoParse {
  const text = meta ?? '';
  const tokens: InfoToken[] = [];
  let index = 0;
  while (index < text.length) {
    if (/^\s*$/.test(text.slice(index))) break;
    token.lastIndex = index;
    const match = token.exec(text);
    if (!match) {
      const offset = index + (text.slice(index).match(/^\s*/)?.[0].length ?? 0);
      return { ok: false, offset, message: `cannot read info string at \`${text.slice(offset)}\`` };
    }
    const name = match[1]!;
    const raw = match[2];
    tokens.push({
      name,
      value: raw === undefined ? undefined : unquote(raw),
      offset: match.index + (match[0].length - match[0].trimStart().length),
    });
    index = token.lastIndex;
  }
  return { ok: true, tokens };
}

function unquote(raw: string): string {
  if (!raw.startsWith('"')) return raw;
  return raw.slice(1, -1).replace(/\\(.)/g, '$1');
}

/** Whether a fence language means TypeScript. */
export function isTypeScript(lang: string | null | undefined): boolean {
  const name = (lang ?? '').toLowerCase();
  return name === 'ts' || name === 'typescript';
}
