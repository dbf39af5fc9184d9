// Unit tests of chapter 02's REINFORCE loss and baseline (src/policy/reinforce.ts) on hand-computed values, on every backend.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Adam } from '../src/runtime/adam.ts';
import { makeBatch, maskTensor, tokensTensor } from '../src/runtime/batch.ts';
import { sequenceLogProb } from '../src/runtime/logprob.ts';
import { cloneGpt, countParams, createGpt, disposeGpt, type Gpt } from '../src/runtime/model.ts';
import { Rng } from '../src/runtime/random.ts';
import { trainStep } from '../src/runtime/train.ts';
import { advantagesOf, gradientVector, leaveOneOutBaseline, reinforceLoss } from '../src/policy/reinforce.ts';
import { BACKENDS_UNDER_TEST, onBackendWithoutLeaks } from './support/backends.ts';

describe('the leave-one-out baseline', () => {
  test('by hand, and B/(B−1) times the batch-mean advantage', () => {
    const R = [1, 0, 0.5];
    expect(leaveOneOutBaseline(R)).toEqual([0.25, 0.75, 0.5]);
    const mean = 0.5;
    leaveOneOutBaseline(R).forEach((b, i) => expect(R[i] - b).toBeCloseTo((3 / 2) * (R[i] - mean), 12));
  });
});

const ln5 = Math.log(5);

for (const backend of BACKENDS_UNDER_TEST) {
  describe(`REINFORCE on ${backend}`, () => {
    onBackendWithoutLeaks(backend);
    let model: Gpt;
    let flat: Gpt; // zero head: every log-probability is −ln 5

    beforeAll(() => {
      model = createGpt({ vocabSize: 5, contextLength: 6, dModel: 8, nHeads: 2, nLayers: 1 }, new Rng(0));
      flat = cloneGpt(model);
      tf.tidy(() => flat.params.head.assign(tf.zerosLike(flat.params.head)));
    });

    afterAll(() => {
      disposeGpt(model);
      disposeGpt(flat);
    });

    // prompt [0, 1]; responses [2, 3] (two tokens, score 1) and [4] (one token, score 0)
    const batch = makeBatch([[0, 1, 2, 3], [0, 1, 4]], [2, 2], 0);

    test('advantages: returns, minus the baseline, on counted tokens only', () => {
      expect(batch.mask).toEqual([[0, 1, 1], [0, 1, 0]]);
      const [none, loo] = tf.tidy(() => {
        const mask = maskTensor(batch);
        return [advantagesOf(mask, [1, 0], 1, 'none'), advantagesOf(mask, [1, 0], 1, 'leave-one-out')];
      });
      expect(none.arraySync()).toEqual([[0, 1, 1], [0, 0, 0]]);
      // baselines: b_0 = 0 (the other score), b_1 = 1
      expect(loo.arraySync().map((row) => row.map((x) => x + 0))).toEqual([[0, 1, 1], [0, -1, 0]]); // + 0 turns −0 into 0
      tf.dispose([none, loo]);
    });

    test('the loss by hand: sum over tokens, mean over sequences', () => {
      const loss = (b: typeof batch, scores: number[], kind: 'none' | 'leave-one-out') =>
        tf.tidy(() => {
          const mask = maskTensor(b);
          return reinforceLoss(flat, tokensTensor(b), mask, advantagesOf(mask, scores, 1, kind));
        });
      const read = (t: tf.Scalar) => {
        const v = t.dataSync()[0];
        t.dispose();
        return v;
      };
      // L = −(1/B) Σ m A log π = (ln 5 / B) Σ m A
      expect(read(loss(batch, [1, 0], 'none'))).toBeCloseTo((ln5 / 2) * 2, 5);
      expect(read(loss(batch, [1, 0], 'leave-one-out'))).toBeCloseTo((ln5 / 2) * (1 + 1 - 1), 5);
      // mean over sequences: the same rows twice give the same loss
      const twice = makeBatch([[0, 1, 2, 3], [0, 1, 4], [0, 1, 2, 3], [0, 1, 4]], [2, 2, 2, 2], 0);
      expect(read(loss(twice, [1, 0, 1, 0], 'none'))).toBeCloseTo(ln5, 5);
      // sum over tokens: one more token in the first answer adds its term, ln 5 / B
      const longer = makeBatch([[0, 1, 2, 3, 3], [0, 1, 4]], [2, 2], 0);
      expect(read(loss(longer, [1, 0], 'none'))).toBeCloseTo((ln5 / 2) * 3, 5);
    });

    test('a step raises the log-probability of a positive advantage and lowers a negative one', () => {
      const one = makeBatch([[0, 1, 2, 3]], [2], 0);
      const logp = (m: Gpt) => {
        const t = tf.tidy(() => sequenceLogProb(m, tokensTensor(one), maskTensor(one)));
        const v = t.dataSync()[0];
        t.dispose();
        return v;
      };
      for (const sign of [1, -1]) {
        const m = cloneGpt(model);
        const adam = new Adam(m.params, { lr: 1e-2 });
        const before = logp(m);
        const count = tf.memory().numTensors;
        trainStep(adam, () => tf.tidy(() => {
          const mask = maskTensor(one);
          return reinforceLoss(m, tokensTensor(one), mask, mask.mul(sign));
        }));
        expect(tf.memory().numTensors).toBe(count);
        expect(Math.sign(logp(m) - before)).toBe(sign);
        adam.dispose();
        disposeGpt(m);
      }
    });

    test('the flat gradient: one entry per parameter; zero advantages give zero', () => {
      const count = tf.memory().numTensors;
      const g = gradientVector(model, () => {
        const mask = maskTensor(batch);
        return reinforceLoss(model, tokensTensor(batch), mask, advantagesOf(mask, [1, 0], 1, 'none'));
      });
      expect(g.length).toBe(countParams(model));
      expect(g.some((x) => x !== 0)).toBe(true);
      const zero = gradientVector(model, () => {
        const mask = maskTensor(batch);
        return reinforceLoss(model, tokensTensor(batch), mask, tf.zerosLike(mask));
      });
      expect(zero.every((x) => x === 0)).toBe(true);
      expect(tf.memory().numTensors).toBe(count);
    });
  });
}
