// Unit tests of chapter 05's preference losses, log-probabilities and measures, on hand-computed values, on every backend.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { answerLogProbs, pairBatch, referenceLogProbs, trainDpo } from '../src/dpo/train.ts';
import { dpoLoss, ipoLoss, logRatioMargin, preferenceLoss, rewardScale } from '../src/dpo/losses.ts';
import { pairLogProbs, pairStats, sequenceKl } from '../src/dpo/measure.ts';
import { cloneGpt, createGpt, disposeGpt, type Gpt } from '../src/runtime/model.ts';
import { Rng } from '../src/runtime/random.ts';
import type { PreferencePair } from '../src/reward/preferences.ts';
import { makePrompt } from '../src/workbench/task.ts';
import { exampleBatch } from '../src/workbench/train.ts';
import { tokenize, VOCAB_SIZE } from '../src/workbench/vocab.ts';
import { BACKENDS_UNDER_TEST, onBackendWithoutLeaks } from './support/backends.ts';

const tidy = (body: () => void) => tf.tidy(body);
const softplus = (z: number) => Math.log1p(Math.exp(z));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const silent = { tick() {}, done() {} };

/** d loss / d h of a loss of h, at h. */
function gradAt(loss: (h: tf.Tensor1D) => tf.Scalar, h: number[]): number[] {
  return Array.from(tf.grad((x: tf.Tensor) => loss(x as tf.Tensor1D))(tf.tensor1d(h)).dataSync());
}

/** Two pairs for the prompt 3141: responses of different lengths, so the batch needs padding. */
const PAIRS: PreferencePair[] = [
  { prompt: makePrompt([3, 1, 4, 1]), chosen: tokenize('1134$'), rejected: tokenize('13$') },
  { prompt: makePrompt([5, 2, 0, 2]), chosen: tokenize('0225$'), rejected: tokenize('022$') }, // training side
];

for (const backend of BACKENDS_UNDER_TEST) {
  describe(`on ${backend}`, () => {
    onBackendWithoutLeaks(backend);
    let model: Gpt;

    beforeAll(() => {
      model = createGpt({ vocabSize: VOCAB_SIZE, contextLength: 12, dModel: 8, nHeads: 2, nLayers: 1 }, new Rng(0));
    });

    afterAll(() => {
      disposeGpt(model);
    });

    test('DPO loss: ln 2 at h = 0, for any β; its gradient pushes h up', () => tidy(() => {
      for (const beta of [0.1, 1, 5]) expect(dpoLoss(tf.tensor1d([0, 0, 0]), beta).dataSync()[0]).toBeCloseTo(Math.log(2), 6);
      // d/dh of mean softplus(−βh) = −β σ(−βh) / n: at h = 0 and n = 1, −β/2
      expect(gradAt((h) => dpoLoss(h, 0.1), [0])[0]).toBeCloseTo(-0.05, 6);
      // always negative (gradient descent raises h), smaller for pairs already ranked well
      const [g1, g2] = gradAt((h) => dpoLoss(h, 0.5), [-2, 4]);
      expect(g1).toBeCloseTo((-0.5 * sigmoid(1)) / 2, 6);
      expect(g2).toBeCloseTo((-0.5 * sigmoid(-2)) / 2, 6);
      expect(g1).toBeLessThan(g2);
      expect(g2).toBeLessThan(0);
    }));

    test('DPO loss by hand, and the mean (not the sum) over pairs', () => tidy(() => {
      const h = [3, -1, 0.5];
      const expected = h.reduce((s, x) => s + softplus(-0.2 * x), 0) / h.length;
      expect(dpoLoss(tf.tensor1d(h), 0.2).dataSync()[0]).toBeCloseTo(expected, 6);
      // doubling the batch with the same pairs leaves the loss unchanged
      expect(dpoLoss(tf.tensor1d([...h, ...h]), 0.2).dataSync()[0]).toBeCloseTo(expected, 6);
    }));

    test('conservative DPO (label smoothing) by hand; its minimum is at βh = ln((1−ε)/ε)', () => tidy(() => {
      // h = 3, β = 0.5, ε = 0.2: −0.8 log σ(1.5) − 0.2 log σ(−1.5) = 0.8 softplus(−1.5) + 0.2 softplus(1.5)
      const expected = 0.8 * softplus(-1.5) + 0.2 * softplus(1.5);
      expect(dpoLoss(tf.tensor1d([3]), 0.5, 0.2).dataSync()[0]).toBeCloseTo(expected, 6);
      expect(dpoLoss(tf.tensor1d([3]), 0.5, 0).dataSync()[0]).toBeCloseTo(softplus(-1.5), 6);
      // the gradient β[σ(βh) − (1 − ε)] vanishes at βh = ln 4 and changes sign there
      const hStar = Math.log(0.8 / 0.2) / 0.5;
      expect(gradAt((x) => dpoLoss(x, 0.5, 0.2), [hStar])[0]).toBeCloseTo(0, 6);
      expect(gradAt((x) => dpoLoss(x, 0.5, 0.2), [hStar + 1])[0]).toBeGreaterThan(0);
      expect(gradAt((x) => dpoLoss(x, 0.5, 0.2), [hStar - 1])[0]).toBeLessThan(0);
      expect(preferenceLoss({ kind: 'dpo', beta: 0.5, labelSmoothing: 0.2 }, tf.tensor1d([3])).dataSync()[0]).toBeCloseTo(expected, 6);
    }));

    test('IPO by hand: (h − 1/(2τ))², mean over pairs', () => tidy(() => {
      // τ = 0.25: target 2; h = [1, 7] → ((−1)² + 5²) / 2 = 13; gradient 2(h − 2)/2 = [−1, 5]
      expect(ipoLoss(tf.tensor1d([1, 7]), 0.25).dataSync()[0]).toBeCloseTo(13, 5);
      const [g1, g2] = gradAt((h) => ipoLoss(h, 0.25), [1, 7]);
      expect(g1).toBeCloseTo(-1, 5);
      expect(g2).toBeCloseTo(5, 5);
      expect(preferenceLoss({ kind: 'ipo', tau: 0.25 }, tf.tensor1d([1, 7])).dataSync()[0]).toBeCloseTo(13, 5);
      expect(rewardScale({ kind: 'ipo', tau: 0.25 })).toBe(0.25);
      expect(rewardScale({ kind: 'dpo', beta: 0.1 })).toBe(0.1);
    }));

    test('the log-ratio margin h by hand', () => tidy(() => {
      const h = logRatioMargin({
        chosen: tf.tensor1d([-1, -2]),
        rejected: tf.tensor1d([-5, -1]),
        refChosen: tf.tensor1d([-1.5, -1]),
        refRejected: tf.tensor1d([-4, -3]),
      });
      // [(−1 + 1.5) − (−5 + 4), (−2 + 1) − (−1 + 3)] = [1.5, −3]
      expect(Array.from(h.dataSync())).toEqual([expect.closeTo(1.5, 6), expect.closeTo(-3, 6)]);
    }));

    test('answer log-probs count the response and its end token only: sum and mean', () => tidy(() => {
      const flat = cloneGpt(model);
      flat.params.head.assign(tf.zerosLike(flat.params.head)); // uniform: every token has log-prob −ln 14
      const batch = pairBatch(PAIRS);
      // chosen first, then rejected; the prompt ^dddd= is never counted, the padding after 13$ and 022$ neither
      expect(batch.tokens.length).toBe(4);
      const lnV = Math.log(VOCAB_SIZE);
      const summed = Array.from(answerLogProbs(flat, batch, 'sum').dataSync());
      expect(summed).toEqual([5, 5, 3, 4].map((n) => expect.closeTo(-n * lnV, 4)));
      const averaged = Array.from(answerLogProbs(flat, batch, 'mean').dataSync());
      expect(averaged).toEqual([1, 1, 1, 1].map(() => expect.closeTo(-lnV, 4)));
      disposeGpt(flat);
    }));

    test('padding in a pair batch changes nothing: each answer scores as it does alone', () => tidy(() => {
      const together = Array.from(answerLogProbs(model, pairBatch(PAIRS)).dataSync());
      const answers = [...PAIRS.map((p) => [p.prompt, p.chosen] as const), ...PAIRS.map((p) => [p.prompt, p.rejected] as const)];
      answers.forEach(([prompt, response], i) => {
        const alone = answerLogProbs(model, exampleBatch([{ prompt, response }])).dataSync()[0];
        expect(together[i]).toBeCloseTo(alone, 4);
      });
      // and averaged log-probs are the sums divided by the answers' lengths (5, 5, 3, 4 tokens)
      const averaged = Array.from(answerLogProbs(model, pairBatch(PAIRS), 'mean').dataSync());
      [5, 5, 3, 4].forEach((n, i) => expect(averaged[i]).toBeCloseTo(together[i] / n, 4));
    }));

    test('reference log-probs are split into chosen and rejected, in pair order', () => {
      const ref = referenceLogProbs(model, PAIRS);
      const both = pairLogProbs(model, pairBatch(PAIRS));
      expect(ref.chosen).toEqual(both.chosen);
      expect(ref.rejected).toEqual(both.rejected);
      expect(ref.chosen.length).toBe(2);
    });

    test('pair stats: the policy equal to its reference has zero rewards and ranks nothing', () => {
      const batch = pairBatch(PAIRS);
      const ref = referenceLogProbs(model, PAIRS);
      const stats = pairStats(model, batch, ref, 0.1);
      expect(stats.accuracy).toBe(0);
      expect(stats.margin).toBeCloseTo(0, 6);
      expect(stats.chosenReward).toBeCloseTo(0, 6);
      // a shifted reference by hand: π_ref 1 nat lower on chosen, 2 nats higher on rejected → h = 3 on both pairs
      const shifted = { chosen: ref.chosen.map((x) => x - 1), rejected: ref.rejected.map((x) => x + 2) };
      const moved = pairStats(model, batch, shifted, 0.1);
      expect(moved.accuracy).toBe(1);
      expect(moved.margin).toBeCloseTo(0.3, 5);
      expect(moved.chosenReward).toBeCloseTo(0.1, 5);
      expect(moved.rejectedReward).toBeCloseTo(-0.2, 5);
    });

    test('sequence KL: zero against itself; by hand for a rigged policy against a uniform reference', () => tidy(() => {
      const batch = exampleBatch(PAIRS.map((p) => ({ prompt: p.prompt, response: p.chosen })));
      expect(sequenceKl(model, model, batch)).toBeCloseTo(0, 5);
      // rigged: the final layer norm outputs e₀ and the head maps e₀ to logits [2, 0, …, 0] at every position
      const rigged = cloneGpt(model);
      rigged.params['lnf.g'].assign(tf.zeros([8]));
      rigged.params['lnf.b'].assign(tf.oneHot([0], 8).reshape([8]).toFloat());
      rigged.params.head.assign(tf.zeros([8, VOCAB_SIZE]).add(tf.oneHot([0], VOCAB_SIZE).reshape([1, VOCAB_SIZE]).mul(tf.oneHot([0], 8).reshape([8, 1])).mul(2)));
      const uniform = cloneGpt(model);
      uniform.params.head.assign(tf.zerosLike(uniform.params.head));
      const z = Math.exp(2) + VOCAB_SIZE - 1;
      const p = [Math.exp(2) / z, ...Array.from({ length: VOCAB_SIZE - 1 }, () => 1 / z)];
      const perToken = p.reduce((s, q) => s + q * Math.log(q * VOCAB_SIZE), 0);
      // both responses have 5 counted tokens
      expect(sequenceKl(rigged, uniform, batch)).toBeCloseTo(5 * perToken, 4);
      disposeGpt(rigged);
      disposeGpt(uniform);
    }));

    test('a few DPO steps raise h on the training pairs, keep the reference fixed, and leak nothing', () => {
      const policy = cloneGpt(model);
      const ref = referenceLogProbs(model, PAIRS);
      const before = tf.memory().numTensors;
      const measured: number[] = [];
      const losses = trainDpo(
        policy,
        PAIRS,
        ref,
        { loss: { kind: 'dpo', beta: 0.5 }, reduction: 'sum', epochs: 10, batchSize: 2, lr: 1e-2, measureEvery: 5 },
        new Rng(1),
        silent,
        (step) => measured.push(step),
      );
      expect(tf.memory().numTensors).toBe(before);
      expect(losses.length).toBe(10);
      expect(measured).toEqual([0, 5, 10]);
      expect(losses[0]).toBeCloseTo(Math.log(2), 5); // the first step starts at π_θ = π_ref
      expect(losses[9]).toBeLessThan(losses[0]);
      expect(pairStats(policy, pairBatch(PAIRS), ref, 0.5).margin).toBeGreaterThan(0);
      expect(referenceLogProbs(model, PAIRS)).toEqual(ref);
      disposeGpt(policy);
    });
  });
}
