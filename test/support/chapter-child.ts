// One chapter's program in a process of its own, for the claims suite (./chapter-pool.ts):
// `node --import tsx chapter-child.ts <chapter.md> <keep folder>`. It runs the chapter's
// `main` on the backend named by RLHF_BACKEND, with a store that holds only what this test
// run has computed (the base models, trained by chapter 00), and sends back one message:
// what main returned, what it printed, how many tensors it left, and what it read and
// wrote in the store.
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyFile } from '../../scripts/checkpoints.ts';
import { loadChapterMain } from '../../scripts/run-chapter.ts';
import { recordingRun } from '../../scripts/terminal-run.ts';
import { writeWhole } from '../../scripts/write-whole.ts';
import { currentBackend, useBackend } from '../../src/runtime/backend.ts';
import type { Keep, Value } from '../../src/runtime/run.ts';
import type { ChapterReport } from './chapter-pool.ts';

const [chapter, keepDir] = process.argv.slice(2);
const reads: string[] = [];
const writes: string[] = [];

/** A store of this test run only: JSON files in `keepDir`, never the book's checkpoints. */
const keep: Keep = {
  read(key, decode) {
    const file = join(keepDir, keyFile(key));
    if (!existsSync(file)) return undefined;
    reads.push(key);
    return decode(JSON.parse(readFileSync(file, 'utf8')) as Value);
  },
  write(key, value) {
    writeWhole(join(keepDir, keyFile(key)), JSON.stringify(value));
    writes.push(key);
  },
};

const send = (report: ChapterReport) => new Promise<void>((done) => process.send!(report, () => done()));
const start = performance.now();
const run = { ...recordingRun(), keep };
try {
  await useBackend(); // RLHF_BACKEND: the chapter's own call then finds it chosen
  const main = await loadChapterMain(chapter);
  const before = tf.memory().numTensors;
  const results = await main(run);
  const leaked = tf.memory().numTensors - before;
  const seconds = (performance.now() - start) / 1000;
  await send({ results, lines: run.lines, leaked, seconds, backend: currentBackend() ?? 'none', reads, writes });
} catch (error) {
  const seconds = (performance.now() - start) / 1000;
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  await send({ error: message, lines: run.lines, leaked: 0, seconds, backend: currentBackend() ?? 'none', reads, writes });
}
process.exit(0);
