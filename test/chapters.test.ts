// The book's claims suite: run every chapter's program and check that each number its
// prose states, and each output block it shows, is what the code produces — and that
// running it leaks no tensors. The programs run in child processes (./support/chapter-pool.ts),
// on the backend the book is recorded on unless RLHF_BACKEND names another.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunnerTask, RunnerTestFile, RunnerTestSuite } from 'vitest';
import { checkClaim, matchOutputs, readChecks, references, type Claim } from '../scripts/claims/index.ts';
import { CHECKPOINTS, readCheckpointFile, sourceFingerprint } from '../scripts/checkpoints.ts';
import { BOOK_BACKEND, compareResults, readRecord, recordCommand } from '../scripts/records/index.ts';
import { chapterFiles, ROOT } from '../scripts/run-chapter.ts';
import { writeWhole } from '../scripts/write-whole.ts';
import { BACKENDS } from '../src/runtime/backend.ts';
import { ChapterPool, type ChapterReport, type Costs } from './support/chapter-pool.ts';

/** A chapter may take this long on the slowest backend (cpu), waiting for others included. */
const CHAPTER_TIMEOUT_MS = 30 * 60 * 1000;

const backend = process.env.RLHF_BACKEND ?? BOOK_BACKEND;
if (!(BACKENDS as readonly string[]).includes(backend)) throw new Error(`RLHF_BACKEND=${backend}: expected one of ${BACKENDS.join(', ')}`);

const COSTS_FILE = join(ROOT, 'test', 'chapter-costs.json');
const costs = JSON.parse(readFileSync(COSTS_FILE, 'utf8')) as Costs;
const pool = new ChapterPool(backend, costs[backend] ?? {}, undefined, (line) => console.error(line));

const BASE_MODELS_SUITE = `the base models shipped in ${CHECKPOINTS}`;

/** Whether a claim reads the results of its own chapter's program (rather than only other chapters' records). */
function needsProgram(claim: Claim): boolean {
  return references(claim).some((r) => r.chapter === undefined);
}

/** Whether any test under `task` is to run (vitest's -t filter and .only mark the others skip). */
const runs = (task: RunnerTask): boolean =>
  task.mode === 'run' && (task.type !== 'suite' || (task as RunnerTestSuite).tasks.some(runs));

/** Start the runs that the suites to run need: their chapters, and chapter 00 for the base models' test. */
beforeAll((file) => {
  const wanted = (file as RunnerTestFile).tasks.filter(runs).map((suite) => suite.name);
  const chapters = chapterFiles().filter((path) => {
    const name = relative(ROOT, path);
    return wanted.includes(name) || (name.endsWith('00-workbench.md') && wanted.includes(BASE_MODELS_SUITE));
  });
  pool.start(chapters);
});

/**
 * What every chapter cost this time: in CI, saved beside the test reports; with
 * RLHF_UPDATE_COSTS=1, written into test/chapter-costs.json for the next runs' order.
 */
afterAll(async () => {
  const measured = await pool.measured();
  pool.stop();
  if (process.env.CI) writeWhole(join(ROOT, '.ci-results', `chapter-costs-${backend}.json`), `${JSON.stringify(measured, null, 1)}\n`);
  if (process.env.RLHF_UPDATE_COSTS === '1') {
    costs[backend] = { ...costs[backend], ...measured };
    writeWhole(COSTS_FILE, `${JSON.stringify(costs, null, 1)}\n`);
  }
}, CHAPTER_TIMEOUT_MS);

for (const path of chapterFiles()) {
  const file = relative(ROOT, path);
  const name = file.replace(/^chapters\/|\.md$/g, '');
  const checks = readChecks(file, readFileSync(path, 'utf8'));

  describe(file, () => {
    let report: ChapterReport = { lines: [], leaked: 0, seconds: 0, backend, reads: [], writes: [] };
    const failure = () => (report.error ? new Error(`${file} failed on ${backend}:\n${report.error}`) : undefined);

    beforeAll(async () => {
      report = await pool.report(name);
    }, CHAPTER_TIMEOUT_MS);

    test(`its program runs (on ${backend})`, () => {
      const error = failure();
      if (error) throw error;
      expect(report.backend).toBe(backend);
    });

    test('is well-formed: every claim and output block parses', () => {
      expect(checks.errors).toEqual([]);
    });

    test('states no unchecked numbers', () => {
      expect(checks.stray.map((s) => `${s.file}:${s.line}:${s.column}: ${s.text} is not a claim`)).toEqual([]);
    });

    test('binds its prose to its code: at least one claim', () => {
      expect(checks.claims.length).toBeGreaterThan(0);
    });

    // On the record's backend a stated number is its value to the digits shown; a `±` serves others.
    const exact = backend === BOOK_BACKEND;
    const cited = (chapter: string) => readRecord(ROOT, chapter).results;
    for (const claim of checks.claims) {
      test(`line ${claim.line}: \`${claim.raw}\``, () => {
        // A claim only about other chapters is checked against their records, which
        // their own tests keep equal to what their programs return.
        if (needsProgram(claim) && failure()) throw new Error(`${file}: the program failed, so the claim cannot be checked`);
        const problem = checkClaim(claim, report.results, { exact, cited });
        if (problem) expect.fail(problem);
      });
    }

    test(`returns what its record on ${backend} says (chapters/public/results)`, (context) => {
      if (failure()) throw new Error(`${file}: the program failed`);
      // The book's record is made on wasm; cpu has a record of its own. Where it was made with
      // tfjs's own kernels ("kernels": "tfjs"), this test also proves that the book's change no bit.
      if (backend !== BOOK_BACKEND && backend !== 'cpu') context.skip(`no record is kept for ${backend}`);
      const record = readRecord(ROOT, file, backend);
      const differences = compareResults(record.results, report.results);
      expect(differences, `${file} no longer returns its recorded results: run ${recordCommand(name, backend)}`).toEqual([]);
    });

    test('shows output that its program prints', () => {
      if (failure()) throw new Error(`${file}: the program failed`);
      const blocks = checks.outputs.filter((block) => block.backend === undefined || block.backend === backend);
      expect(matchOutputs(blocks, report.lines, { exact })).toEqual([]);
    });

    test('leaks no tensors', () => {
      if (failure()) throw new Error(`${file}: the program failed`);
      expect(report.leaked, `${file} left ${report.leaked} tensors allocated`).toBe(0);
    });
  });
}

describe(BASE_MODELS_SUITE, () => {
  test('are what this code trains, bit for bit (else run pnpm record)', async (context) => {
    const key = `base-models-${backend}-1`;
    const checkpoint = readCheckpointFile(ROOT, key); // throws if its value does not match its digest
    // The book ships the base models of its own backend (wasm); others train them.
    if (!checkpoint && backend !== BOOK_BACKEND) context.skip(`no checkpoint for ${backend}: its chapters train the base models`);
    expect(checkpoint, `${CHECKPOINTS}/${key}.json is missing: run pnpm record`).toBeDefined();
    expect(checkpoint!.code, `${CHECKPOINTS}/${key}.json was made by other code: run pnpm record`).toBe(sourceFingerprint(ROOT, checkpoint!.source));
    const trained = await pool.report('00-workbench'); // chapter 00 trains them afresh, and keeps them for this run
    if (trained.error) throw new Error(`chapter 00 failed, so no base models were trained:\n${trained.error}`);
    expect(pool.kept(key), `${CHECKPOINTS}/${key}.json differs from what the code trains: run pnpm record`).toEqual(checkpoint!.value);
  }, CHAPTER_TIMEOUT_MS);
});
