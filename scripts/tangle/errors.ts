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

/** A failure that ends an operation with one line of text (a path or a chapter line first). */
export class TangleFailure extends Error {
  override name = 'TangleFailure';
}

/**
 * One line for an error thrown while reading or writing the book: its own
 * message for a `TangleFailure`, else `path: what the system said`, with the
 * path relative to `root`.
 */
export function describeFailure(root: string, error: unknown): string {
  if (error instanceof TangleFailure) return error.message;
  const failure = error as Partial<NodeJS.ErrnoException>;
  const path = typeof failure.path === 'string' ? relativePath(root, failure.path) : root;
  // `ENOENT: no such file or directory, open '/…'`: the path is said first instead.
  const reason = (failure.message ?? String(error)).split('\n', 1)[0]!.replace(/, \w+ '.*$/, '');
  return `${path}: ${reason}`;
}

function relativePath(root: string, path: string): string {
  const prefix = root.endsWith('/') ? root : `${root}/`;
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}
