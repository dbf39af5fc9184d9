/**
 * Reading the book from disk.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChapterSource } from './types.ts';

/** The chapters of the book at `root`: every `chapters/*.md`, sorted by name. */
export function readChapters(root: string): ChapterSource[] {
  const directory = join(root, 'chapters');
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({
      path: `chapters/${name}`,
      source: readFileSync(join(directory, name), 'utf8'),
    }));
}

/**
 * Every file under `directory` of `root`, as root-relative POSIX paths
 * (`src/rl/gridworld.ts`) mapped to their content, sorted by path.
 */
export function readTree(root: string, directory: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (relative: string): void => {
    const absolute = join(root, relative);
    for (const entry of readdirSync(absolute, { withFileTypes: true })) {
      const path = `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else files.set(path, readFileSync(join(root, path), 'utf8'));
    }
  };
  if (existsSync(join(root, directory))) walk(directory);
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
