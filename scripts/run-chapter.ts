import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ChapterMain } from '../src/runtime/run.ts';
import { applyChapterOptions, CHAPTER_OPTIONS, CHAPTER_OPTIONS_USAGE, parseCommandLine, runCommand, selectBackend, UserError } from './cli.ts';
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

/** The names of the chapters, for messages. */
const chapterNames = () => chapterFiles().map((f) => basename(f, '.md')).join(', ');

/**
 * Where the reader typed the command: pnpm and npm run a package script in the package's
 * root, and say in INIT_CWD where it was started.
 */
const typedIn = () => process.env.INIT_CWD ?? process.cwd();

/** The chapter file for `01`, `1`, `01-rl-basics` or a path (from where the command was typed). */
export function findChapter(id: string): string {
  const path = resolve(typedIn(), id);
  if (id.endsWith('.md') && existsSync(path)) return path;
  const prefix = /^\d+$/.test(id) ? id.padStart(2, '0') + '-' : basename(id, '.md');
  const found = chapterFiles().filter((f) => basename(f).startsWith(prefix));
  if (found.length !== 1) throw new UserError(`no single chapter matches '${id}'; the chapters are: ${chapterNames()}`);
  return found[0];
}

/** Import the `main` of a chapter's program, `src/chapters/NN-name.ts`. */
export async function loadChapterMain(chapterPath: string): Promise<ChapterMain> {
  const name = basename(chapterPath, '.md');
  const program = join(ROOT, 'src', 'chapters', `${name}.ts`);
  if (!existsSync(program)) {
    throw new UserError(`${relative(ROOT, chapterPath)} has no program: expected a block with file=src/chapters/${name}.ts (then run pnpm tangle)`);
  }
  const module = (await import(pathToFileURL(program).href)) as { main?: unknown };
  if (typeof module.main !== 'function') {
    throw new UserError(`src/chapters/${name}.ts does not export a function main(run)`);
  }
  return module.main as ChapterMain;
}

/** Say on stderr when src/ is not what the chapters produce: the run would use stale code. */
function warnIfStale(): void {
  const check = checkSource(ROOT);
  if (check.ok) return;
  console.error(['warning: src/ is not what the chapters say; this run uses src/ as it is.', ...check.lines].join('\n'));
}

/**
 * Run a chapter as a reader does: its output on stdout, progress on stderr, on the backend
 * RLHF_BACKEND names (else the fastest that loads), selected first so that a name that is
 * not a backend fails before anything runs.
 */
export async function runChapter(chapterPath: string): Promise<void> {
  warnIfStale();
  const main = await loadChapterMain(chapterPath);
  await selectBackend();
  const start = performance.now();
  await main(terminalRun(ROOT));
  const seconds = (performance.now() - start) / 1000;
  console.error(`${relative(ROOT, chapterPath)} ran in ${seconds.toFixed(1)} s`);
}

/** `pnpm tsx chapters/NN-name.md [--backend …] [--fresh]`: what `scripts/md-hooks.mjs` runs. */
export async function runChapterFile(chapterPath: string): Promise<void> {
  const shown = relative(typedIn(), chapterPath) || chapterPath;
  const command = {
    name: `tsx ${shown}`,
    usage: [`usage: pnpm tsx ${shown} [--backend node|wasm|cpu] [--fresh]   (or: pnpm chapter ${basename(chapterPath).split('-')[0]})`, CHAPTER_OPTIONS_USAGE].join('\n'),
  };
  await runCommand(command, async () => {
    const { values } = parseCommandLine(command, { args: process.argv.slice(2), options: CHAPTER_OPTIONS });
    if (!existsSync(chapterPath)) throw new UserError(`no such file; the chapters are chapters/NN-name.md: ${chapterNames()}`);
    applyChapterOptions(values);
    await runChapter(chapterPath);
  });
}
