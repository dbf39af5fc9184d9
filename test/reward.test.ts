// Unit tests of chapter 03's reward model on hand-computed values, on both backends:
// the Bradley–Terry loss, the reward read at the last token, preference pairs and training.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bradleyTerryLoss } from '../src/reward/bradley-terry.ts';
import { rewardOf, scoreAnswers, scoreBatch } from '../src/reward/model.ts';
import { preferencePairs, type PreferencePair } from '../src/reward/preferences.ts';
import { preferenceAccuracy, trainRewardModel } from '../src/reward/train.ts';
import { tokensTensor } from '../src/runtime/batch.ts';
import { createGpt, disposeGpt, type Gpt } from '../src/runtime/model.ts';
import { Rng } from '../src/runtime/random.ts';
import { createScalarModel, disposeScalarModel, scalarOutputs } from '../src/runtime/scalar.ts';
import { GPT_CONFIG } from '../src/workbench/base.ts';
import { idealAnswer, makePrompt, randomPrompt, trueScore } from '../src/workbench/task.ts';
import { exampleBatch } from '../src/workbench/train.ts';
import { EOS } from '../src/workbench/vocab.ts';
import { BACKENDS_UNDER_TEST, onBackendWithoutLeaks } from './support/backends.ts';

const silent = { tick() {}, done() {} };

for (const backend of BACKENDS_UNDER_TEST) {
  describe(`on ${backend}`, () => {
    onBackendWithoutLeaks(backend);
    let body: Gpt;

    beforeAll(() => {
      body = createGpt({ ...GPT_CONFIG, dModel: 8, nHeads: 2, nLayers: 1 }, new Rng(0));
    });

    afterAll(() => {
      disposeGpt(body);
    });

    test('Bradley–Terry loss by hand: equal rewards cost ln 2; a margin of 1 costs ln(1 + e^{−1})', () =>
      tf.tidy(() => {
        const loss = (w: number[], l: number[]) => bradleyTerryLoss(tf.tensor1d(w), tf.tensor1d(l)).dataSync()[0];
        expect(loss([0.3], [0.3])).toBeCloseTo(Math.LN2, 6);
        expect(loss([1], [0])).toBeCloseTo(Math.log(1 + Math.exp(-1)), 6);
        expect(loss([0], [1])).toBeCloseTo(Math.log(1 + Math.E), 6);
        // the batch reduction is a mean over pairs
        expect(loss([0.3, 1], [0.3, 0])).toBeCloseTo((Math.LN2 + Math.log(1 + Math.exp(-1))) / 2, 6);
        // d/dr_w of −log σ(r_w − r_l) at r_w = r_l is −σ(0) = −½, and +½ for r_l; divided by the 2 pairs
        const [gw, gl] = tf.grads((w: tf.Tensor, l: tf.Tensor) => bradleyTerryLoss(w as tf.Tensor1D, l as tf.Tensor1D))([
          tf.tensor1d([0, 0]),
          tf.tensor1d([0, 0]),
        ]);
        expect(Array.from(gw.dataSync())).toEqual([-0.25, -0.25]);
        expect(Array.from(gl.dataSync())).toEqual([0.25, 0.25]);
      }));

    test('rewardOf reads the scalar head at the last response token, past none of the padding', () =>
      tf.tidy(() => {
        const rm = createScalarModel(body);
        rm.head.w.assign(tf.randomNormal([8, 1], 0, 1, 'float32', 1)); // any head: the test is where it is read
        const prompt = makePrompt([3, 1, 4, 1]);
        const responses = [[1, 1, 3, 4, EOS], [1, EOS], [1, 1, 3, 4, 4, 4]];
        const batch = exampleBatch(responses.map((response) => ({ prompt, response })));
        const all = scalarOutputs(rm, tokensTensor(batch)).arraySync();
        // prompt ^3141= is 6 tokens, so the last response token sits at 6 + |y| − 1
        const expected = responses.map((y, i) => all[i][6 + y.length - 1]);
        const got = Array.from(rewardOf(rm, batch).dataSync());
        got.forEach((g, i) => expect(g).toBeCloseTo(expected[i], 5));
        expect(scoreBatch(rm, batch)).toEqual(got);
        expect(scoreAnswers(rm, responses.map(() => prompt), responses)).toEqual(got);
        disposeScalarModel(rm);
      }));

    test('preference pairs: the judge prefers the chosen answer, never a tie', () => {
      const pairs = preferencePairs(body, 20, new Rng(2));
      expect(pairs).toHaveLength(20);
      for (const p of pairs) expect(trueScore(p.prompt, p.chosen)).toBeGreaterThan(trueScore(p.prompt, p.rejected));
    });

    test('a reward model learns an easy preference; a zero head gets no pair right (ties count as wrong)', () => {
      const before = tf.memory().numTensors;
      const rng = new Rng(3);
      const pairs: PreferencePair[] = Array.from({ length: 64 }, () => {
        const prompt = randomPrompt(rng); // the training side of the split
        return { prompt, chosen: [...idealAnswer(prompt.digits), EOS], rejected: [0, 0, 0, 0, 0, 0] };
      });
      const untrained = createScalarModel(body);
      expect(preferenceAccuracy(untrained, pairs)).toBe(0);
      disposeScalarModel(untrained);
      const { rm, losses } = trainRewardModel(body, pairs, { epochs: 5, batchSize: 16, lr: 1e-2 }, rng, silent);
      expect(losses).toHaveLength(20);
      expect(losses[0]).toBeCloseTo(Math.LN2, 5); // a zero head scores both answers 0
      expect(losses.at(-1)!).toBeLessThan(0.1);
      expect(preferenceAccuracy(rm, pairs)).toBe(1);
      disposeScalarModel(rm);
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}
