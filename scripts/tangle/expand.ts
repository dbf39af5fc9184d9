/**
 * Expanding chunk references (`// <<name>>`) in a block's code, with markers
 * before each expansion and after it where the outer code resumes.
 */
import { marker } from './marker.ts';
import type { CodeBlock, TangleError } from './types.ts';

/** A reference line: its indentation and the chunk name. */
const referencePattern = /^(\s*)\/\/ <<(.+)>>\s*$/;

/** The chunk a line references, with the line's indentation, if it is a reference. */
export function readReference(line: string): { indent: string; name: string } | undefined {
  const match = referencePattern.exec(line);
  if (!match) return undefined;
  return { indent: match[1]!, name: match[2]!.trim() };
}

/** The chunks of one chapter and what expanding them has found so far. */
export interface ExpandContext {
  chapter: string;
  chunks: ReadonlyMap<string, CodeBlock>;
  /** Names of chunks expanded at least once. */
  used: Set<string>;
  errors: TangleError[];
}

/**
 * The lines of `lines` (starting at chapter line `firstLine`) with every
 * reference replaced by its chunk. `stack` holds the chunks being expanded,
 * to detect cycles.
 */
export function expand(
  context: ExpandContext,
  lines: readonly string[],
  firstLine: number,
  stack: readonly string[] = [],
): string[] {
  const out: string[] = [];
  lines.forEach((line, index) => {
    const reference = readReference(line);
    if (!reference) {
      out.push(line);
      return;
    }
    const lineNumber = firstLine + index;
    const column = reference.indent.length + 1;
    const chunk = context.chunks.get(reference.name);
    if (!chunk) {
      context.errors.push({
        file: context.chapter,
        line: lineNumber,
        column,
        message: `unknown reference <<${reference.name}>>: no chunk of that name in this chapter`,
      });
      out.push(line);
      return;
    }
    if (stack.includes(reference.name)) {
      const cycle = [...stack.slice(stack.indexOf(reference.name)), reference.name];
      context.errors.push({
        file: context.chapter,
        line: lineNumber,
        column,
        message: `reference cycle: ${cycle.map((name) => `<<${name}>>`).join(' → ')}`,
      });
      out.push(line);
      return;
    }
    context.used.add(reference.name);
    const body = expand(context, chunk.lines, chunk.line, [...stack, reference.name]);
    out.push(reference.indent + marker(context.chapter, chunk.line));
    for (const chunkLine of body) out.push(indent(reference.indent, chunkLine));
    if (index < lines.length - 1) {
      out.push(reference.indent + marker(context.chapter, lineNumber + 1));
    }
  });
  return out;
}

/** Prefix a line with `prefix`; blank lines stay empty. */
function indent(prefix: string, line: string): string {
  return line.trim() === '' ? '' : prefix + line;
}
