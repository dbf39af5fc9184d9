// Unit tests of chapter 03's KL machinery on hand-computed values: the three estimators,
// the shaped per-token rewards, returns and advantages, the REINFORCE loss and the exact token KL.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { estimatorTable, k1, k2, k3 } from '../src/kl/estimators.ts';
import { gaussianEstimates, gaussianExact } from '../src/kl/gaussian.ts';
import { policyGradientLoss } from '../src/kl/policy-gradient.ts';
import { advantages, returnsToGo, shapedRewards } from '../src/kl/shaped-reward.ts';
import { compareToReference, exactTokenKl, pickTargets } from '../src/kl/token-kl.ts';
import { makeBatch, maskTensor, tokensTensor } from '../src/runtime/batch.ts';
import { cloneGpt, createGpt, disposeGpt, type Gpt } from '../src/runtime/model.ts';
import { Rng } from '../src/runtime/random.ts';
import { BACKENDS_UNDER_TEST, onBackendWithoutLeaks } from './support/backends.ts';

describe('k1, k2, k3', () => {
  test('on fixed values of log r', () => {
    // log r = ln 2: k1 = −ln 2, k2 = (ln 2)²/2, k3 = (2 − 1) − ln 2
    expect(k1(Math.LN2)).toBeCloseTo(-0.693147, 6);
    expect(k2(Math.LN2)).toBeCloseTo(0.240227, 6);
    expect(k3(Math.LN2)).toBeCloseTo(0.306853, 6);
    // log r = −1: k1 = 1, k2 = 1/2, k3 = e^{−1} − 1 + 1
    expect(k1(-1)).toBe(1);
    expect(k2(-1)).toBe(0.5);
    expect(k3(-1)).toBeCloseTo(0.367879, 6);
    // p = q at x: every estimator is 0; k2 and k3 are never negative
    expect([k1(0), k2(0), k3(0)].map((x) => x + 0)).toEqual([0, 0, 0]);
    for (const x of [-5, -0.1, 0.1, 5]) {
      expect(k2(x)).toBeGreaterThan(0);
      expect(k3(x)).toBeGreaterThan(0);
    }
  });

  test('exact expectations on a two-point distribution', () => {
    // q = (1/2, 1/2), p = (1/4, 3/4): KL(q‖p) = ½ ln 2 + ½ ln(2/3) = ½ ln(4/3).
    // One sample of each point is the exact expectation under q: r = 1/2 and 3/2.
    const kl = 0.5 * Math.log(4 / 3);
    const table = estimatorTable([Math.log(0.5), Math.log(1.5)], kl);
    expect(table.k1.relBias).toBeCloseTo(0, 12); // E[−log r] = KL
    expect(table.k3.relBias).toBeCloseTo(0, 12); // E[r − 1] = 0, so E[k3] = E[k1]
    const k2Mean = (Math.log(0.5) ** 2 + Math.log(1.5) ** 2) / 4;
    expect(table.k2.relBias).toBeCloseTo(k2Mean / kl - 1, 12);
    // std of k1: the two values −ln ½ and −ln 3/2 are ½ ln 3 either side of their mean
    expect(table.k1.relStd).toBeCloseTo(0.5 * Math.log(3) / kl, 12);
  });

  test("the Gaussian closed form matches Schulman's table and the sampler", () => {
    const near = gaussianExact(0.1);
    expect(near.k1.relStd).toBeCloseTo(20, 10); // 2/μ
    expect(near.k2.relBias).toBeCloseTo(0.0025, 10); // μ²/4
    expect(near.k2.relStd).toBeCloseTo(1.4177, 4);
    expect(near.k3.relStd).toBeCloseTo(1.4166, 4);
    const far = gaussianExact(1);
    expect(far.k1.relStd).toBeCloseTo(2, 10);
    expect(far.k2.relBias).toBeCloseTo(0.25, 10);
    expect(far.k2.relStd).toBeCloseTo(Math.sqrt(3), 10); // √(¼ + ½) / ½
    expect(far.k3.relStd).toBeCloseTo(2 * Math.sqrt(Math.E - 2), 10); // √(e − 1 − 1) / ½
    const sampled = gaussianEstimates(1, 200_000, new Rng(1));
    expect(sampled.k2.relBias).toBeCloseTo(0.25, 1);
    expect(Math.abs(sampled.k3.relBias)).toBeLessThan(0.02);
  });
});

describe('shaped rewards', () => {
  // Two answers after a prompt: the first counts targets 1 and 2, the second only target 1;
  // target 0 is the prompt, target 3 padding.
  const mask = [
    [0, 1, 1, 0],
    [0, 1, 0, 0],
  ];
  const logpPolicy = [
    [-9, -0.5, -1.0, -9],
    [-9, -2.0, -9, -9],
  ];
  const logpRef = [
    [-9, -1.0, -0.5, -9],
    [-9, -1.0, -9, -9],
  ];

  test('−β(log π − log π_ref) on every counted token, the score added at the last one, 0 elsewhere', () => {
    const r = shapedRewards(logpPolicy, logpRef, mask, [1, 2], 0.1);
    // row 0: −0.1·(−0.5 + 1.0) = −0.05; −0.1·(−1.0 + 0.5) + 1 = 1.05
    // row 1: −0.1·(−2.0 + 1.0) + 2 = 2.1 (its only counted token is also its last)
    expect(r[0][0]).toBe(0);
    expect(r[0][1]).toBeCloseTo(-0.05, 12);
    expect(r[0][2]).toBeCloseTo(1.05, 12);
    expect(r[0][3]).toBe(0);
    expect(r[1][1]).toBeCloseTo(2.1, 12);
    expect([r[1][0], r[1][2], r[1][3]]).toEqual([0, 0, 0]);
  });

  test('β = 0 leaves only the score, at the last counted token', () => {
    expect(shapedRewards(logpPolicy, logpRef, mask, [1, 2], 0).map((row) => row.map((x) => x + 0))).toEqual([
      [0, 0, 1, 0],
      [0, 2, 0, 0],
    ]);
  });

  test('returns to go (γ = 1) and advantages against the batch mean at each position', () => {
    const rewards = [
      [0, -0.05, 1.05, 0],
      [0, 2.1, 0, 0],
    ];
    const G = returnsToGo(rewards, mask);
    expect(G[0][1]).toBeCloseTo(1.0, 12);
    expect(G[0][2]).toBeCloseTo(1.05, 12);
    expect(G[1][1]).toBeCloseTo(2.1, 12);
    expect([G[0][0], G[0][3], G[1][0], G[1][2]]).toEqual([0, 0, 0, 0]);
    const A = advantages(G, mask);
    // position 1: both counted, mean 1.55 → −0.55, +0.55; position 2: only row 0 counted → 0
    expect(A[0][1]).toBeCloseTo(-0.55, 12);
    expect(A[1][1]).toBeCloseTo(0.55, 12);
    expect(A[0][2]).toBeCloseTo(0, 12);
    expect([A[0][0], A[1][2], A[1][3]]).toEqual([0, 0, 0]);
  });
});

for (const backend of BACKENDS_UNDER_TEST) {
  describe(`on ${backend}`, () => {
    onBackendWithoutLeaks(backend);
    let model: Gpt;

    beforeAll(() => {
      model = createGpt({ vocabSize: 5, contextLength: 6, dModel: 8, nHeads: 2, nLayers: 1 }, new Rng(0));
    });

    afterAll(() => {
      disposeGpt(model);
    });

    test('the REINFORCE loss sums over tokens and averages over sequences', () =>
      tf.tidy(() => {
        const logp = tf.tensor2d([[-1, -2], [-0.5, -3]]);
        const adv = tf.tensor2d([[1, 2], [3, 4]]);
        const mask = tf.tensor2d([[1, 1], [1, 0]]);
        // −(−1·1 − 2·2 − 0.5·3) / 2 = 6.5 / 2; a mean over the 3 counted tokens would give 6.5 / 3
        expect(policyGradientLoss(logp, adv, mask).dataSync()[0]).toBeCloseTo(3.25, 5);
        // its gradient with respect to log π is −A·mask / B
        const grad = tf.grad((x: tf.Tensor) => policyGradientLoss(x as tf.Tensor2D, adv, mask))(logp);
        expect(Array.from(grad.dataSync(), (x) => x + 0)).toEqual([-0.5, -1, -1.5, 0]);
      }));

    test('pickTargets and the exact token KL by hand', () =>
      tf.tidy(() => {
        // one sequence [0, 1]: one target position, predicting token 1, over a vocabulary of two
        const tokens = tf.tensor2d([[0, 1]], undefined, 'int32');
        const logpPolicy = tf.tensor3d([[[Math.log(0.5), Math.log(0.5)]]]);
        const logpRef = tf.tensor3d([[[Math.log(0.25), Math.log(0.75)]]]);
        expect(pickTargets(logpPolicy, tokens).dataSync()[0]).toBeCloseTo(Math.log(0.5), 6);
        expect(pickTargets(logpRef, tokens).dataSync()[0]).toBeCloseTo(Math.log(0.75), 6);
        // KL((½, ½) ‖ (¼, ¾)) = ½ ln 2 + ½ ln(2/3) = ½ ln(4/3)
        expect(exactTokenKl(logpPolicy, logpRef).dataSync()[0]).toBeCloseTo(0.5 * Math.log(4 / 3), 6);
        expect(exactTokenKl(logpRef, logpRef).dataSync()[0]).toBeCloseTo(0, 6);
      }));

    test('compareToReference: zero KL against itself, masked positions are 0, no tensors left', () => {
      const before = tf.memory().numTensors;
      const batch = makeBatch([[0, 1, 2, 3], [0, 4, 4]], [2, 1], 0);
      const tokens = tokensTensor(batch);
      const mask = maskTensor(batch);
      const same = compareToReference(model, model, tokens, mask);
      expect(same.kl.flat().every((x) => Math.abs(x) < 1e-6)).toBe(true);
      expect(same.logpPolicy).toEqual(same.logpRef);
      // the prompt's target (row 0, position 0) and the padding (row 1, position 2) are masked to 0
      expect(same.logpPolicy[0][0] + 0).toBe(0);
      expect(same.logpPolicy[1][2] + 0).toBe(0);
      expect(same.logpPolicy[0][1]).toBeLessThan(0);
      const other = cloneGpt(model);
      tf.tidy(() => other.params.head.assign(tf.zerosLike(other.params.head))); // a uniform reference
      const apart = compareToReference(model, other, tokens, mask);
      expect(apart.kl[0][1]).toBeGreaterThan(0);
      expect(apart.logpRef[0][1]).toBeCloseTo(-Math.log(5), 5);
      disposeGpt(other);
      tf.dispose([tokens, mask]);
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}
