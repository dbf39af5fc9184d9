// `pnpm book`: run every chapter in book order, as a reader would one by one.
import { basename } from 'node:path';
import { applyChapterOptions, CHAPTER_OPTIONS, CHAPTER_OPTIONS_USAGE, parseCommandLine, runCommand } from './cli.ts';
import { chapterFiles, runChapter } from './run-chapter.ts';

const command = {
  name: 'pnpm book',
  usage: ['usage: pnpm book [--backend node|wasm|cpu] [--fresh]   (every chapter, in book order)', CHAPTER_OPTIONS_USAGE].join('\n'),
};

await runCommand(command, async () => {
  const { values } = parseCommandLine(command, { options: CHAPTER_OPTIONS });
  applyChapterOptions(values);
  for (const chapter of chapterFiles()) {
    console.log(`\n# ${basename(chapter, '.md')}\n`);
    await runChapter(chapter);
  }
});
