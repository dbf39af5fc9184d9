/**
 * Replacing a directory as a whole: the new tree is built aside, under
 * `.tangle/`, then swapped in with two renames, so that a failure half-way
 * never leaves a half-written tree. A crash at any point leaves the old tree
 * or the new one in place, or the old one aside as `.tangle/prev-<dir>`; the
 * next swap (or `recoverDirectory`) puts it back and removes what is left
 * over.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describeFailure, TangleFailure } from './errors.ts';

/** The file-system steps of a swap; tests replace them to simulate a crash. */
export interface SwapSteps {
  rename(from: string, to: string): void;
  remove(path: string): void;
  makeDirectory(path: string): void;
  writeFile(path: string, content: string): void;
}

/** The steps on the real file system. */
export const fileSystemSteps: SwapSteps = {
  rename: renameSync,
  remove: (path) => rmSync(path, { recursive: true, force: true }),
  makeDirectory: (path) => mkdirSync(path, { recursive: true }),
  writeFile: (path, content) => writeFileSync(path, content),
};

/** Where the swap of `directory` puts its trees. */
function swapPaths(root: string, directory: string): { target: string; next: string; previous: string } {
  const tag = directory.replace(/[^\w]+/g, '_');
  const scratch = join(root, '.tangle');
  return { target: join(root, directory), next: join(scratch, `next-${tag}`), previous: join(scratch, `prev-${tag}`) };
}

/**
 * The trees an interrupted swap of `directory` left under `.tangle/`: the
 * old tree set aside (`prev`) and the new one being built (`next`), also in
 * the names older tanglers gave them (`prev-<pid>-<dir>`).
 */
export function swapLeftovers(root: string, directory: string): { previous: string[]; next: string[] } {
  const scratch = join(root, '.tangle');
  const tag = directory.replace(/[^\w]+/g, '_');
  const names = existsSync(scratch) ? readdirSync(scratch) : [];
  const ofRole = (role: string): string[] =>
    names.filter((name) => name === `${role}-${tag}` || new RegExp(`^${role}-\\d+-${tag}$`).test(name)).sort();
  return {
    previous: ofRole('prev').map((name) => join(scratch, name)),
    next: ofRole('next').map((name) => join(scratch, name)),
  };
}

/**
 * Undo a swap of `directory` that was interrupted: when the directory is
 * missing, the tree set aside goes back; every other leftover is removed.
 */
export function recoverDirectory(root: string, directory: string, steps: SwapSteps = fileSystemSteps): void {
  const { target } = swapPaths(root, directory);
  const { previous, next } = swapLeftovers(root, directory);
  for (const path of previous) {
    if (existsSync(target)) steps.remove(path);
    else steps.rename(path, target);
  }
  for (const path of next) steps.remove(path);
}

/**
 * Make `directory` (relative to `root`) hold exactly `files` (root-relative
 * path → content; every path starts with `directory/`).
 */
export function replaceDirectory(
  root: string,
  directory: string,
  files: ReadonlyMap<string, string>,
  steps: SwapSteps = fileSystemSteps,
): void {
  for (const path of files.keys()) {
    if (!path.startsWith(`${directory}/`)) throw new TangleFailure(`${path}: not under ${directory}/`);
  }
  recoverDirectory(root, directory, steps);
  const { target, next, previous } = swapPaths(root, directory);
  try {
    steps.makeDirectory(next);
    for (const [path, content] of files) {
      const absolute = join(next, path.slice(directory.length + 1));
      steps.makeDirectory(dirname(absolute));
      steps.writeFile(absolute, content);
    }
    steps.makeDirectory(dirname(target));
    if (existsSync(target)) steps.rename(target, previous);
    steps.rename(next, target);
  } catch (error) {
    try {
      recoverDirectory(root, directory, steps);
    } catch (undo) {
      // Say both: what stopped the swap, and that the tree is not back (the next run recovers it).
      throw new TangleFailure(
        `${describeFailure(root, error)}; putting ${directory}/ back failed too ` +
          `(${describeFailure(root, undo)}): run pnpm tangle again to recover it`,
      );
    }
    throw error;
  }
  steps.remove(previous);
}
