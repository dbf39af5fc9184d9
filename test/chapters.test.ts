// The book's claims suite: run every chapter's program in-process and check that
// each number its prose states, and each output block it shows, is what the code
// produces — and that running it leaks no tensors.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { checkClaim, matchOutputs, readChecks } from '../scripts/claims/index.ts';
import { chapterFiles, loadChapterMain, ROOT } from '../scripts/run-chapter.ts';
import { currentBackend, useBackend } from '../src/runtime/backend.ts';
import { recordingRun } from '../scripts/terminal-run.ts';
import { compareResults, readRecord } from '../scripts/records/index.ts';
import { CHECKPOINTS, readCheckpointFile, sourceFingerprint } from '../scripts/checkpoints.ts';
import { disposeGpt, snapshotGpt } from '../src/runtime/model.ts';
import { baseModels, toKept } from '../src/workbench/base.ts';

/** A chapter may take this long on the slowest backend (cpu). */
const CHAPTER_TIMEOUT_MS = 15 * 60 * 1000;

for (const path of chapterFiles()) {
  const file = relative(ROOT, path);
  const checks = readChecks(file, readFileSync(path, 'utf8'));

  describe(file, () => {
    let results: unknown;
    let printed: string[] = [];
    let leaked = 0;
    let failure: unknown;

    beforeAll(async () => {
      try {
        const main = await loadChapterMain(path);
        const run = recordingRun();
        const before = tf.memory().numTensors;
        results = await main(run);
        leaked = tf.memory().numTensors - before;
        printed = run.lines;
      } catch (error) {
        failure = error;
      }
    }, CHAPTER_TIMEOUT_MS);

    test('its program runs', () => {
      if (failure) throw failure;
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

    for (const claim of checks.claims) {
      test(`line ${claim.line}: \`${claim.raw}\``, () => {
        if (claim.chapter) {
          // A claim about another chapter: checked against that chapter's record,
          // which the other chapter's own test keeps equal to what it returns.
          const problem = checkClaim(claim, readRecord(ROOT, claim.chapter).results);
          if (problem) expect.fail(`${problem} (in the recorded results of ${claim.chapter})`);
          return;
        }
        if (failure) throw new Error(`${file}: the program failed, so the claim cannot be checked`);
        const problem = checkClaim(claim, results);
        if (problem) expect.fail(problem);
      });
    }

    test('returns what its record says (chapters/public/results)', (context) => {
      if (failure) throw new Error(`${file}: the program failed`);
      const record = readRecord(ROOT, file);
      const backend = currentBackend() ?? 'none';
      // A record holds one backend's numbers; others differ in the last digits.
      if (record.backend !== backend) context.skip(`recorded on ${record.backend}; this run is on ${backend}`);
      const differences = compareResults(record.results, results);
      expect(differences, `${file} no longer returns its recorded results: run pnpm record ${file}`).toEqual([]);
    });

    test('shows output that its program prints', () => {
      if (failure) throw new Error(`${file}: the program failed`);
      const backend = currentBackend();
      const blocks = checks.outputs.filter((block) => block.backend === undefined || block.backend === backend);
      expect(matchOutputs(blocks, printed)).toEqual([]);
    });

    test('leaks no tensors', () => {
      expect(leaked, `${file} left ${leaked} tensors allocated`).toBe(0);
    });
  });
}

describe(`the base models shipped in ${CHECKPOINTS}`, () => {
  test('are what this code trains, bit for bit (else run pnpm record)', async (context) => {
    const backend = currentBackend() ?? (await useBackend()); // as the chapters chose it
    const key = `base-models-${backend}-1`;
    const checkpoint = readCheckpointFile(ROOT, key);
    // The book ships the base models of its own backend (wasm); others train them.
    if (!checkpoint && backend !== 'wasm') context.skip(`no checkpoint for ${backend}: its chapters train the base models`);
    expect(checkpoint, `${CHECKPOINTS}/${key}.json is missing: run pnpm record`).toBeDefined();
    expect(checkpoint!.code, `${CHECKPOINTS}/${key}.json was made by other code: run pnpm record`).toBe(sourceFingerprint(ROOT, checkpoint!.source));
    const { pretrained, sft, pretrainLosses, sftLosses } = baseModels(recordingRun(), 1); // as chapter 00 trained them, in this process
    const trained = toKept({ pretrained: snapshotGpt(pretrained), sft: snapshotGpt(sft), pretrainLosses, sftLosses });
    disposeGpt(pretrained);
    disposeGpt(sft);
    expect(trained, `${CHECKPOINTS}/${key}.json differs from what the code trains: run pnpm record`).toEqual(checkpoint!.value);
  }, CHAPTER_TIMEOUT_MS);
});
