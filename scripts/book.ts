// `pnpm book`: run every chapter in book order, as a reader would one by one.
import { basename } from 'node:path';
import { chapterFiles, runChapter } from './run-chapter.ts';

for (const chapter of chapterFiles()) {
  console.log(`\n# ${basename(chapter, '.md')}\n`);
  await runChapter(chapter);
}
