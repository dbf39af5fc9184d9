/**
 * Pointing tsc diagnostics at chapter lines.
 */
import { formatPlace, whereIs } from './where.ts';

/** `src/x.ts(12,5): error TS2322: …` as printed by `tsc --pretty false`. */
const diagnosticPattern = /^(.+?)\((\d+),(\d+)\): /;

/**
 * A tsc output line, followed by ` (chapters/NN-name.md:M)` when it is a
 * diagnostic in a generated file (`src/…` or `.tangle/read-only/…`).
 */
export function annotateDiagnostic(root: string, line: string): string {
  const match = diagnosticPattern.exec(line);
  if (!match) return line;
  const file = match[1]!.replaceAll('\\', '/');
  if (!file.startsWith('src/') && !file.startsWith('.tangle/read-only/')) return line;
  const place = whereIs(root, file, Number(match[2]));
  return place ? `${line} (${formatPlace(place)})` : line;
}
