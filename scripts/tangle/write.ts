/**
 * Replacing a directory as a whole: the new tree is built aside, under
 * `.tangle/`, then swapped in with two renames, so that a failure half-way
 * never leaves a half-written tree.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Make `directory` (relative to `root`) hold exactly `files` (root-relative
 * path → content; every path starts with `directory/`).
 */
export function replaceDirectory(
  root: string,
  directory: string,
  files: ReadonlyMap<string, string>,
): void {
  const scratch = join(root, '.tangle');
  const tag = `${process.pid}-${directory.replace(/[^\w]+/g, '_')}`;
  const next = join(scratch, `next-${tag}`);
  const previous = join(scratch, `prev-${tag}`);
  rmSync(next, { recursive: true, force: true });
  rmSync(previous, { recursive: true, force: true });
  mkdirSync(next, { recursive: true });

  try {
    for (const [path, content] of files) {
      if (!path.startsWith(`${directory}/`)) throw new Error(`${path} is not under ${directory}/`);
      const absolute = join(next, path.slice(directory.length + 1));
      mkdirSync(dirname(absolute), { recursive: true });
      writeFileSync(absolute, content);
    }
  } catch (error) {
    rmSync(next, { recursive: true, force: true });
    throw error;
  }

  const target = join(root, directory);
  mkdirSync(dirname(target), { recursive: true });
  const hadTarget = existsSync(target);
  if (hadTarget) renameSync(target, previous);
  try {
    renameSync(next, target);
  } catch (error) {
    if (hadTarget) renameSync(previous, target);
    rmSync(next, { recursive: true, force: true });
    throw error;
  }
  rmSync(previous, { recursive: true, force: true });
}
