// Unit tests of chapter 09's critic-free estimators and loss (src/online/) on hand-computed values.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  penalisedRewards,
  perToken,
  reinforcePlusPlusAdvantages,
  remaxAdvantages,
  rlooAdvantages,
} from '../src/online/estimators.ts';
import { criticFreeBill } from '../src/online/memory.ts';
import { onlineLoss } from '../src/online/trainer.ts';
import { makeBatch } from '../src/runtime/batch.ts';
import { cloneGpt, createGpt, disposeGpt, type Gpt } from '../src/runtime/model.ts';
import { Rng } from '../src/runtime/random.ts';
import { BACKENDS_UNDER_TEST, onBackendWithoutLeaks } from './support/backends.ts';

const clean = (xs: number[]) => xs.map((x) => x + 0); // −0 → 0

describe('the KL-penalised reward', () => {
  test('R = r − β (log π − log π_ref), per answer', () => {
    expect(penalisedRewards([1, 2], [-1, -3], [-2, -3], 0.1)).toEqual([0.9, 2]);
  });
});

describe('ReMax', () => {
  test('A = R(sample) − R(greedy), by hand', () => {
    expect(remaxAdvantages([1, 0.5, 2], [0.5, 0.5, 3])).toEqual([0.5, 0, -1]);
  });
  test('a sample equal to the greedy answer gets no advantage', () => {
    expect(clean(remaxAdvantages([0.7], [0.7]))).toEqual([0]);
  });
  test('lengths must match', () => {
    expect(() => remaxAdvantages([1, 2], [1])).toThrow(/greedy/);
  });
});

describe('RLOO', () => {
  test('each answer against the mean of the others of its group, by hand', () => {
    // groups [1, 0, 0.5] and [2, 2, 5]
    const a = rlooAdvantages([1, 0, 0.5, 2, 2, 5], 3);
    [0.75, -0.75, 0, -1.5, -1.5, 3].forEach((x, i) => expect(a[i]).toBeCloseTo(x, 12));
  });
  test('k/(k−1) times the deviation from the group mean', () => {
    const R = [3, 1, 4, 1];
    const m = 9 / 4;
    rlooAdvantages(R, 4).forEach((a, i) => expect(a).toBeCloseTo((4 / 3) * (R[i] - m), 12));
  });
  test('all-equal rewards in a group: zero advantage', () => {
    expect(clean(rlooAdvantages([2, 2, 2, 2, -1, -1], 2))).toEqual([0, 0, 0, 0, 0, 0]);
  });
  test('a group of one has no others: refused', () => {
    expect(() => rlooAdvantages([1, 2], 1)).toThrow(/k ≥ 2/);
    expect(() => rlooAdvantages([1, 2, 3], 2)).toThrow(/groups of 2/);
  });
});

describe('per-token advantages and REINFORCE++', () => {
  const mask = [
    [0, 1, 1],
    [0, 1, 0],
  ];
  test('an answer’s advantage on its counted tokens only', () => {
    expect(perToken([2, -1], mask).map(clean)).toEqual([
      [0, 2, 2],
      [0, -1, 0],
    ]);
  });
  test('global whitening over the batch’s counted tokens, by hand', () => {
    // tokens carry 1, 1, 4: mean 2, sample variance (1 + 1 + 4) / 2 = 3
    const a = reinforcePlusPlusAdvantages([1, 4], mask);
    const s = Math.sqrt(3);
    expect(a[0][0]).toBe(0);
    expect(a[1][2]).toBe(0);
    expect(a[0][1]).toBeCloseTo(-1 / s, 6);
    expect(a[0][2]).toBeCloseTo(-1 / s, 6);
    expect(a[1][1]).toBeCloseTo(2 / s, 6);
  });
  test('all-equal rewards: zero, not a division by zero', () => {
    const a = reinforcePlusPlusAdvantages([3, 3], mask);
    expect(a.flat().map((x) => x + 0)).toEqual([0, 0, 0, 0, 0, 0]);
  });
  test('a batch of one answer whitens to zero', () => {
    const a = reinforcePlusPlusAdvantages([5], [[0, 1, 1]]);
    expect(a.flat().every((x) => Math.abs(x) < 1e-12)).toBe(true);
  });
});

describe('the memory bill', () => {
  test('policy and reference, reward model with its head; the policy trains', () => {
    expect(criticFreeBill({ total: 10, adapted: [] }, 1)).toEqual({ weights: 31, total: 61 });
  });
});

const ln5 = Math.log(5);

for (const backend of BACKENDS_UNDER_TEST) {
  describe(`the online loss on ${backend}`, () => {
    onBackendWithoutLeaks(backend);
    let flat: Gpt; // zero head: every log-probability is −ln 5

    beforeAll(() => {
      const model = createGpt(
        { vocabSize: 5, contextLength: 6, dModel: 8, nHeads: 2, nLayers: 1 },
        new Rng(0),
      );
      flat = cloneGpt(model);
      disposeGpt(model);
      tf.tidy(() => flat.params.head.assign(tf.zerosLike(flat.params.head)));
    });
    afterAll(() => disposeGpt(flat));

    test('−(1/B) Σ A log π over counted tokens; padding and prompt masked', () => {
      const batch = makeBatch([[0, 1, 2, 3], [0, 1, 4]], [2, 2], 0);
      const advantages = perToken([1, -2], batch.mask);
      const loss = tf.tidy(() =>
        onlineLoss(flat, { batch, advantages, rmReward: 0, kl: 0, trueScore: 0 }),
      );
      // answer 0: two tokens at advantage 1; answer 1: one token at −2
      expect(loss.dataSync()[0]).toBeCloseTo(-((2 * 1 - 2) * -ln5) / 2, 5);
      loss.dispose();
      const loss2 = tf.tidy(() =>
        onlineLoss(flat, {
          batch,
          advantages: perToken([1, 0], batch.mask),
          rmReward: 0,
          kl: 0,
          trueScore: 0,
        }),
      );
      expect(loss2.dataSync()[0]).toBeCloseTo((2 * ln5) / 2, 5);
      loss2.dispose();
    });
  });
}
