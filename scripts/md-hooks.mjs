// Node module hooks: loading `chapters/NN-name.md` yields a small module that runs that chapter.
// The chapter's code itself is the tangled `src/chapters/NN-name.ts`, loaded by tsx as usual.
import { existsSync } from 'node:fs';
import { relative, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const runner = new URL('./run-chapter.ts', import.meta.url).href;

/** @param {string} url */
const isChapterFile = (url) => url.startsWith('file:') && url.endsWith('.md');

/**
 * The program's own file, `tsx chapters/NN-name.md`. A package script runs in the package's
 * root, so `cd chapters && pnpm tsx 01-rl-basics.md` asks for `./01-rl-basics.md` there: look
 * for it where the command was typed (INIT_CWD) too. A file found nowhere still resolves, so
 * that the runner says so in one line instead of Node's ERR_MODULE_NOT_FOUND.
 * @type {import('node:module').ResolveHook}
 */
export async function resolve(specifier, context, nextResolve) {
  if (context.parentURL !== undefined || !isChapterFile(specifier)) return nextResolve(specifier, context);
  const path = fileURLToPath(specifier);
  const typed = process.env.INIT_CWD && resolvePath(process.env.INIT_CWD, relative(process.cwd(), path));
  const found = existsSync(path) ? path : (typed ?? path);
  return { url: pathToFileURL(found).href, format: 'module', shortCircuit: true };
}

/** @type {import('node:module').LoadHook} */
export async function load(url, context, nextLoad) {
  if (!isChapterFile(url)) return nextLoad(url, context);
  const chapter = JSON.stringify(fileURLToPath(url));
  return {
    format: 'module',
    shortCircuit: true,
    source: `import { runChapterFile } from ${JSON.stringify(runner)};\nawait runChapterFile(${chapter});\n`,
  };
}
