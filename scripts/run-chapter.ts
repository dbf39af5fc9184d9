import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ChapterMain } from '../src/runtime/run.ts';
import { checkSource } from './tangle/index.ts';
import { terminalRun } from './terminal-run.ts';

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Every chapter file, in book order. */
export function chapterFiles(): string[] {
  return readdirSync(join(ROOT, 'chapters'))
    .filter((f) => /^\d\d-.+\.md$/.test(f))
    .sort()
    .map((f) => join(ROOT, 'chapters', f));
}

/** The chapter file for `01`, `1`, `01-rl-basics` or a path. */
export function findChapter(id: string): string {
  if (id.endsWith('.md') && existsSync(id)) return id;
  const prefix = /^\d+$/.test(id) ? id.padStart(2, '0') + '-' : id;
  const found = chapterFiles().filter((f) => basename(f).startsWith(prefix));
  if (found.length !== 1) {
    const names = chapterFiles().map((f) => basename(f, '.md')).join(', ');
    throw new Error(`no single chapter matches '${id}'; the chapters are: ${names}`);
  }
  return found[0];
}

/** Import the `main` of a chapter's program, `src/chapters/NN-name.ts`. */
export async function loadChapterMain(chapterPath: string): Promise<ChapterMain> {
  const name = basename(chapterPath, '.md');
  const program = join(ROOT, 'src', 'chapters', `${name}.ts`);
  if (!existsSync(program)) {
    throw new Error(`${relative(ROOT, chapterPath)} has no program: expected a block with file=src/chapters/${name}.ts (then run pnpm tangle)`);
  }
  const module = (await import(pathToFileURL(program).href)) as { main?: unknown };
  if (typeof module.main !== 'function') {
    throw new Error(`src/chapters/${name}.ts does not export a function main(run)`);
  }
  return module.main as ChapterMain;
}

/** Say on stderr when src/ is not what the chapters produce: the run would use stale code. */
function warnIfStale(): void {
  const check = checkSource(ROOT);
  if (check.ok) return;
  console.error(['warning: src/ is not what the chapters say; this run uses src/ as it is.', ...check.lines].join('\n'));
}

/** Run a chapter as a reader does: its output on stdout, progress on stderr. */
export async function runChapter(chapterPath: string): Promise<void> {
  warnIfStale();
  const main = await loadChapterMain(chapterPath);
  const start = performance.now();
  await main(terminalRun(ROOT));
  const seconds = (performance.now() - start) / 1000;
  console.error(`${relative(ROOT, chapterPath)} ran in ${seconds.toFixed(1)} s`);
}
