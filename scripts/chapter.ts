// `pnpm chapter 01`: run one chapter's program, as `pnpm tsx chapters/01-rl-basics.md` does.
import { applyChapterOptions, CHAPTER_OPTIONS, CHAPTER_OPTIONS_USAGE, parseCommandLine, runCommand, UserError } from './cli.ts';
import { findChapter, runChapter } from './run-chapter.ts';

const command = {
  name: 'pnpm chapter',
  usage: ['usage: pnpm chapter <number|name|file> [--backend node|wasm|cpu] [--fresh]', CHAPTER_OPTIONS_USAGE].join('\n'),
};

await runCommand(command, async () => {
  const { positionals, values } = parseCommandLine(command, { allowPositionals: true, options: CHAPTER_OPTIONS });
  if (positionals.length !== 1) throw new UserError(`expected one chapter, got ${positionals.length ? positionals.join(' ') : 'none'}`);
  const chapter = findChapter(positionals[0]);
  applyChapterOptions(values);
  await runChapter(chapter);
});
