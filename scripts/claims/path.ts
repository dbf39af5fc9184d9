/**
 * Paths into a chapter's results: `qlearning.successRate`, `a.b[2]`, `a.b.2`.
 * A path is an identifier followed by `.identifier`, `.index` or `[index]`.
 */

/** One step of a path, with the text of the path up to and including it. */
export interface PathSegment {
  key: string | number;
  prefix: string;
}

const first = /^[A-Za-z_$][\w$]*/;
const next = /^(?:\.([A-Za-z_$][\w$]*)|\.(\d+)|\[(\d+)\])/;

/** The segments of `path`, or undefined when it is not a valid path. */
export function parsePath(path: string): PathSegment[] | undefined {
  const head = first.exec(path);
  if (!head) return undefined;
  const segments: PathSegment[] = [{ key: head[0], prefix: head[0] }];
  let index = head[0].length;
  while (index < path.length) {
    const match = next.exec(path.slice(index));
    if (!match) return undefined;
    index += match[0].length;
    const key = match[1] ?? Number(match[2] ?? match[3]);
    segments.push({ key, prefix: path.slice(0, index) });
  }
  return segments;
}
