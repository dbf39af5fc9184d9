/**
 * Mapping a line of a generated file back to its chapter line, through the
 * markers: the line after a marker comes from the line the marker names, and
 * each following line from the next chapter line, until the next marker.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readMarker } from './marker.ts';

/** A place in a chapter. */
export interface ChapterPlace {
  chapter: string;
  line: number;
}

/**
 * The chapter place of line `line` (1-based) of generated `content`, or
 * undefined for the header and for lines outside the file. A marker line
 * maps to the place it names.
 */
export function whereIn(content: string, line: number): ChapterPlace | undefined {
  const lines = content.split('\n');
  if (!Number.isInteger(line) || line < 1 || line > lines.length) return undefined;
  for (let index = line - 1; index >= 0; index--) {
    const found = readMarker(lines[index]!);
    if (!found) continue;
    const offset = line - 1 - index;
    return { chapter: found.chapter, line: found.line + Math.max(0, offset - 1) };
  }
  return undefined;
}

/**
 * The chapter place of line `line` of `file` (relative to `root`: a file of
 * `src/` or of `.tangle/read-only/`). Undefined when the file cannot be read
 * or the line has no chapter line.
 */
export function whereIs(root: string, file: string, line: number): ChapterPlace | undefined {
  let content: string;
  try {
    content = readFileSync(join(root, file), 'utf8');
  } catch {
    return undefined;
  }
  return whereIn(content, line);
}

/** `chapters/01-rl-basics.md:63`. */
export function formatPlace(place: ChapterPlace): string {
  return `${place.chapter}:${place.line}`;
}
