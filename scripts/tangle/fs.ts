/**
 * Reading the book from disk. Chapters and the files of `src/` are UTF-8
 * text (decoded strictly) in regular files; anything else is refused with a
 * line naming its path rather than read wrongly.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { TangleFailure } from './errors.ts';
import { decodeText } from './source.ts';
import type { ChapterSource, TangleError } from './types.ts';

/** The chapters of a book, and the chapter files that could not be read as text. */
export interface ChapterFiles {
  chapters: ChapterSource[];
  errors: TangleError[];
}

/** The chapters of the book at `root`: every `chapters/*.md`, sorted by name. */
export function readChapters(root: string): ChapterFiles {
  const directory = join(root, 'chapters');
  const chapters: ChapterSource[] = [];
  const errors: TangleError[] = [];
  if (!existsSync(directory)) return { chapters, errors };
  const entries = readdirSync(directory, { withFileTypes: true }).filter((entry) => entry.name.endsWith('.md'));
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = `chapters/${entry.name}`;
    if (entry.isDirectory()) continue;
    const kind = entryProblem(entry);
    if (kind) {
      errors.push({ file: path, line: 0, message: `${kind}; a chapter must be a regular file` });
      continue;
    }
    const text = decodeText(readFileSync(join(directory, entry.name)));
    if (text.ok) chapters.push({ path, source: text.text });
    else errors.push({ file: path, line: 0, message: text.reason });
  }
  return { chapters, errors };
}

/**
 * Every file under `directory` of `root`, as root-relative POSIX paths
 * (`src/rl/gridworld.ts`) mapped to their content, sorted by path. Throws a
 * `TangleFailure` naming the path of an entry that is not a directory or a
 * regular file (a link, dangling or not), or of a file that is not UTF-8.
 */
export function readTree(root: string, directory: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (relative: string): void => {
    for (const entry of readdirSync(join(root, relative), { withFileTypes: true })) {
      const path = `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        walk(path);
        continue;
      }
      const kind = entryProblem(entry);
      if (kind) throw new TangleFailure(`${path}: ${kind}; ${directory}/ may hold only files and directories`);
      const text = decodeText(readFileSync(join(root, path)));
      if (!text.ok) throw new TangleFailure(`${path}: ${text.reason}`);
      files.set(path, text.text);
    }
  };
  const top = join(root, directory);
  if (existsSync(top) || isLink(top)) {
    if (isLink(top)) throw new TangleFailure(`${directory}: a symbolic link; it must be a directory of its own`);
    walk(directory);
  }
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Why a directory entry that is not a directory is not a regular file, or undefined. */
function entryProblem(entry: Dirent): string | undefined {
  if (entry.isFile()) return undefined;
  return entry.isSymbolicLink() ? 'a symbolic link' : 'not a regular file';
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
