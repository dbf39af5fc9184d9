/**
 * Marker comments: `// ↳ chapters/01-rl-basics.md:42` says that the next line
 * comes from line 42 of that chapter (and the lines after it from the lines
 * after 42, until the next marker).
 */

const markerPattern = /^\s*\/\/ ↳ (\S+\.md):(\d+)\s*$/;

/** The marker line for `chapter:line`. */
export function marker(chapter: string, line: number): string {
  return `// ↳ ${chapter}:${line}`;
}

/** The chapter place a marker line points at, or undefined for other lines. */
export function readMarker(text: string): { chapter: string; line: number } | undefined {
  const match = markerPattern.exec(text);
  if (!match) return undefined;
  return { chapter: match[1]!, line: Number(match[2]) };
}
