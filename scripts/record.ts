// `pnpm record [01 05 …]`: run chapters (all by default) in book order, in one process,
// and save what each program returns as its record, chapters/public/results/NN-name.json
// (on wasm, the book's backend; others in chapters/public/results/<backend>/),
// and what it keeps (the base models, trained afresh) as a checkpoint shipped with the
// book, chapters/public/checkpoints/KEY.json.
import { basename, relative } from 'node:path';
import { cpuKernels } from '../src/runtime/backend.ts';
import type { Value } from '../src/runtime/run.ts';
import { writeCheckpoint } from './checkpoints.ts';
import { askBackend, parseCommandLine, runCommand, selectBackend } from './cli.ts';
import { asJson, writeRecord } from './records/index.ts';
import { chapterFiles, findChapter, loadChapterMain, ROOT } from './run-chapter.ts';
import { terminalRun } from './terminal-run.ts';

const command = {
  name: 'pnpm record',
  usage: [
    'usage: pnpm record [chapter …] [--backend node|wasm|cpu]   (default: every chapter)',
    '  --backend, -b  node, wasm or cpu (default: RLHF_BACKEND, else the fastest that loads);',
    '                 the record is labelled with it, and kept in chapters/public/results/<backend>/',
    '                 unless it is wasm, the book\'s backend',
  ].join('\n'),
};

await runCommand(command, async () => {
  const { positionals, values } = parseCommandLine(command, {
    allowPositionals: true,
    options: { backend: { type: 'string', short: 'b' }, help: { type: 'boolean', short: 'h' } },
  });
  askBackend(values.backend);
  const chapters = positionals.length ? positionals.map(findChapter) : chapterFiles();
  // Selected before any chapter runs, as `pnpm chapter` does: every record, chapter 01's
  // (which computes without tensors) too, is labelled with the backend it ran under.
  const backend = await selectBackend();
  for (const chapter of chapters) {
    const main = await loadChapterMain(chapter);
    const keep = {
      read: () => undefined, // a record is made from scratch
      write: (key: string, value: Value) => console.error(`${relative(ROOT, writeCheckpoint(ROOT, key, value))}: written`),
    };
    const quiet = { ...terminalRun(), log: () => {}, keep };
    const start = performance.now();
    const results = await main(quiet);
    const kernels = backend === 'cpu' ? { kernels: cpuKernels() } : {}; // whose cpu kernels made it
    const path = writeRecord(ROOT, { chapter: basename(chapter, '.md'), backend, ...kernels, results: asJson(results) });
    console.error(`${relative(ROOT, path)}: ${((performance.now() - start) / 1000).toFixed(1)} s on ${backend}`);
  }
});
