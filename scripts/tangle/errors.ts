/**
 * Formatting and ordering of tangle errors.
 */
import type { TangleError } from './types.ts';

/** `chapters/01-x.md:42:5: message` (column only when known; no line when 0). */
export function formatError(error: TangleError): string {
  if (error.line === 0) return `${error.file}: ${error.message}`;
  const column = error.column === undefined ? '' : `:${error.column}`;
  return `${error.file}:${error.line}${column}: ${error.message}`;
}

/** Sort errors by chapter, line, column; drop exact duplicates. */
export function sortErrors(errors: readonly TangleError[]): TangleError[] {
  const seen = new Set<string>();
  const unique: TangleError[] = [];
  for (const error of errors) {
    const key = formatError(error);
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(error);
  }
  return unique.sort(
    (a, b) =>
      compare(a.file, b.file) || a.line - b.line || (a.column ?? 0) - (b.column ?? 0),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
