// Unit tests of chapter 02's returns (src/rl/returns.ts) on hand-computed values, on every backend.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { makeBatch, maskTensor } from '../src/runtime/batch.ts';
import { Rng } from '../src/runtime/random.ts';
import { discountedReturns } from '../src/rl/reinforce.ts';
import { discountMatrix, discountedReturnsBatch, lastTokenMask, sequenceReturns, terminalRewards } from '../src/rl/returns.ts';
import { BACKENDS_UNDER_TEST, onBackendWithoutLeaks } from './support/backends.ts';

/** Compare nested arrays of numbers to `digits` decimals. */
function expectClose(actual: number[][], expected: number[][], digits = 6) {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, i) => {
    expect(row.length).toBe(expected[i].length);
    row.forEach((x, t) => expect(x).toBeCloseTo(expected[i][t], digits));
  });
}

describe('the backward recursion (chapter 01) on a terminal score', () => {
  test('a 5-token answer scored 0.5: G_t = γ^(4−t) · 0.5', () => {
    const r = [0, 0, 0, 0, 0.5];
    expect(discountedReturns(r, 0.9).map((x) => +x.toFixed(6))).toEqual([0.32805, 0.3645, 0.405, 0.45, 0.5]);
    expect(discountedReturns(r, 1)).toEqual([0.5, 0.5, 0.5, 0.5, 0.5]);
  });
});

for (const backend of BACKENDS_UNDER_TEST) {
  describe(`returns on ${backend}`, () => {
    onBackendWithoutLeaks(backend);

    test('the discount matrix by hand', () => {
      const D = tf.tidy(() => discountMatrix(3, 0.5));
      expect(D.arraySync()).toEqual([
        [1, 0, 0],
        [0.5, 1, 0],
        [0.25, 0.5, 1],
      ]);
      D.dispose();
    });

    test('r D is the return: by hand, and equal to the backward recursion', () => {
      const G = tf.tidy(() => discountedReturnsBatch(tf.tensor2d([[0, 0, 1], [1, 2, 3]]), 0.5));
      // row 1: G2 = 3, G1 = 2 + 0.5·3 = 3.5, G0 = 1 + 0.5·3.5 = 2.75
      expectClose(G.arraySync(), [[0.25, 0.5, 1], [2.75, 3.5, 3]]);
      G.dispose();
      const rng = new Rng(4);
      const rows = Array.from({ length: 6 }, () => Array.from({ length: 9 }, () => rng.uniform() * 2 - 1));
      for (const gamma of [0, 0.5, 0.9, 1]) {
        const batch = tf.tidy(() => discountedReturnsBatch(tf.tensor2d(rows), gamma));
        expectClose(batch.arraySync(), rows.map((r) => discountedReturns(r, gamma)), 5);
        batch.dispose();
      }
    });

    test('the last counted token of each row', () => {
      const last = tf.tidy(() => lastTokenMask(tf.tensor2d([[0, 1, 1, 0], [1, 1, 1, 1], [0, 0, 1, 0], [0, 0, 0, 0]])));
      expect(last.arraySync()).toEqual([[0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 1, 0], [0, 0, 0, 0]]);
      last.dispose();
    });

    test('variable lengths: the score sits at each row’s last real token, returns are masked', () => {
      // prompt [9, 8] then responses of 3, 1 and 2 tokens, right-padded with 0
      const batch = makeBatch([[9, 8, 1, 2, 3], [9, 8, 4], [9, 8, 5, 6]], [2, 2, 2], 0);
      expect(batch.mask).toEqual([[0, 1, 1, 1], [0, 1, 0, 0], [0, 1, 1, 0]]);
      const [rewards, g09, g1] = tf.tidy(() => {
        const mask = maskTensor(batch);
        const scores = tf.tensor1d([0.5, 1, 0.25]);
        return [terminalRewards(mask, scores), sequenceReturns(mask, scores, 0.9), sequenceReturns(mask, scores, 1)];
      });
      expectClose(rewards.arraySync(), [[0, 0, 0, 0.5], [0, 1, 0, 0], [0, 0, 0.25, 0]]);
      expectClose(g09.arraySync(), [[0, 0.405, 0.45, 0.5], [0, 1, 0, 0], [0, 0.225, 0.25, 0]]);
      expectClose(g1.arraySync(), [[0, 0.5, 0.5, 0.5], [0, 1, 0, 0], [0, 0.25, 0.25, 0]]);
      tf.dispose([rewards, g09, g1]);
    });
  });
}
