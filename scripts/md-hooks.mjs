// Node module hooks: loading `chapters/NN-name.md` yields a small module that runs that chapter.
// The chapter's code itself is the tangled `src/chapters/NN-name.ts`, loaded by tsx as usual.
import { fileURLToPath } from 'node:url';

const runner = new URL('./run-chapter.ts', import.meta.url).href;

/** @type {import('node:module').LoadHook} */
export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.md')) return nextLoad(url, context);
  const chapter = JSON.stringify(fileURLToPath(url));
  return {
    format: 'module',
    shortCircuit: true,
    source: `import { runChapter } from ${JSON.stringify(runner)};\nawait runChapter(${chapter});\n`,
  };
}
