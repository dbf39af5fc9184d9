/**
 * Where tangled code may go.
 */
import { posix } from 'node:path';

/** Why `target` is not a valid `file=` target, or undefined when it is. */
export function checkTarget(target: string): string | undefined {
  if (target === '') return 'empty `file=` target';
  if (target.includes('\\')) return `target ${target} must use forward slashes`;
  if (posix.isAbsolute(target) || /^[A-Za-z]:/.test(target)) {
    return `target ${target} must be relative to the root, under src/`;
  }
  if (target.split('/').includes('..')) return `target ${target} must not contain ..`;
  if (posix.normalize(target) !== target) {
    return `target ${target} is not normalised (write ${posix.normalize(target)})`;
  }
  if (!target.startsWith('src/')) return `target ${target} is outside src/`;
  if (!target.endsWith('.ts') || target === 'src/.ts') return `target ${target} is not a .ts file`;
  return undefined;
}

/** `chapters/01-rl-basics.md` → `01-rl-basics`. */
export function chapterStem(chapter: string): string {
  return posix.basename(chapter).replace(/\.md$/, '');
}

/** Directory of the type-check-only files, relative to the root. */
export const readOnlyDirectory = '.tangle/read-only';

/** Path of the type-check-only file of a read-only block starting at `line`. */
export function readOnlyPath(chapter: string, line: number): string {
  return `${readOnlyDirectory}/${chapterStem(chapter)}/L${line}.ts`;
}
