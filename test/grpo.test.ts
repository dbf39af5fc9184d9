// Unit tests of chapter 10's GRPO (src/grpo/): the group advantage and its edge cases, the
// k3 term and its gradient, the three aggregations, the token and sequence ratios, the
// asymmetric clip, and the drawing of groups, on hand-computed values.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import {
  allEqual,
  groupAdvantages,
  STD_EPS,
  zeroAdvantageShare,
} from '../src/grpo/advantages.ts';
import { sampleStd } from '../src/runtime/stats.ts';
import { aggregate, grpoLoss, importanceRatio, k3, k3Naive } from '../src/grpo/losses.ts';
import {
  informativeGroups,
  joinGroups,
  pickGroups,
  verifiable,
  type Groups,
} from '../src/grpo/trainer.ts';
import { makePrompt } from '../src/workbench/task.ts';
import { BACKENDS_UNDER_TEST, onBackendWithoutLeaks } from './support/backends.ts';

const clean = (xs: number[]) => xs.map((x) => x + 0); // −0 → 0

describe('the group advantage', () => {
  test('(r − mean) / (sample std + 1e-4), by hand', () => {
    // group [1, 0, 0, 1]: mean 1/2, sample variance (4 · 1/4) / 3 = 1/3
    const s = Math.sqrt(1 / 3) + STD_EPS;
    const a = groupAdvantages([1, 0, 0, 1], 4);
    [0.5 / s, -0.5 / s, -0.5 / s, 0.5 / s].forEach((x, i) => expect(a[i]).toBeCloseTo(x, 12));
  });
  test('the sample (Bessel) standard deviation, as TRL', () => {
    expect(sampleStd([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3), 12);
  });
  test('groups are consecutive and independent', () => {
    const a = groupAdvantages([0, 2, 5, 5, 10, 20], 2, 'none');
    expect(clean(a)).toEqual([-1, 1, 0, 0, -5, 5]);
  });
  test("without scaling it is the deviation from the group's mean", () => {
    const a = groupAdvantages([1, 0, 0, 0, 0, 0, 0, 0], 8, 'none');
    expect(a[0]).toBeCloseTo(7 / 8, 12);
    expect(a[1]).toBeCloseTo(-1 / 8, 12);
  });
  test('the lone right answer of eight: (7/8) / sqrt(1/8)', () => {
    const a = groupAdvantages([1, 0, 0, 0, 0, 0, 0, 0], 8);
    expect(a[0]).toBeCloseTo(0.875 / (Math.sqrt(1 / 8) + STD_EPS), 12);
  });
  test('a group of one gets exactly zero, not NaN', () => {
    expect(clean(groupAdvantages([0.7, -3], 1))).toEqual([0, 0]);
  });
  test('all-equal rewards get exactly zero, even where the float mean is not equal', () => {
    expect((0.1 + 0.1 + 0.1) / 3).not.toBe(0.1); // the trap the guard avoids
    expect(clean(groupAdvantages([0.1, 0.1, 0.1], 3))).toEqual([0, 0, 0]);
    expect(clean(groupAdvantages([1, 1, 1, 1], 4, 'none'))).toEqual([0, 0, 0, 0]);
  });
  test('bad shapes are refused', () => {
    expect(() => groupAdvantages([1, 2, 3], 2)).toThrow(/groups of 2/);
    expect(() => groupAdvantages([1, 2], 0)).toThrow(/G ≥ 1/);
  });
  test('the share of zero-advantage groups', () => {
    expect(zeroAdvantageShare([1, 1, 0, 1, 0, 0], 2)).toBeCloseTo(2 / 3, 12);
    expect(zeroAdvantageShare([1, 2], 1)).toBe(1);
    expect(allEqual([2, 2, 2])).toBe(true);
  });
});

describe('groups, and which of them carry information', () => {
  const p = makePrompt([3, 1, 2, 0]);
  const q = makePrompt([9, 9, 1, 0]);
  const g: Groups = {
    prompts: [p, p, q, q],
    responses: [[1], [2], [3], [4]],
    trueScores: [1, 0.5, 1, 1],
    rmScores: [0.1, 0.2, 0.3, 0.3],
    rewards: [1, 0, 1, 1],
  };
  test('informative groups: rewards not all equal; a group of one never', () => {
    expect(informativeGroups(g.rewards, 2)).toEqual([0]);
    expect(informativeGroups(g.rewards, 1)).toEqual([]);
  });
  test('picking and joining groups keeps each answer with its prompt and scores', () => {
    const second = pickGroups(g, 2, [1]);
    expect(second.prompts).toEqual([q, q]);
    expect(second.responses).toEqual([[3], [4]]);
    const both = joinGroups([pickGroups(g, 2, [1]), pickGroups(g, 2, [0])]);
    expect(both.rmScores).toEqual([0.3, 0.3, 0.1, 0.2]);
    expect(both.rewards).toEqual([1, 1, 1, 0]);
  });
  test('the verifiable reward: 1 only for the exact answer', () => {
    expect([1, 0.99, 0.5, 0].map(verifiable)).toEqual([1, 0, 0, 0]);
  });
});

for (const backend of BACKENDS_UNDER_TEST) {
  describe(`GRPO's loss on ${backend}`, () => {
    onBackendWithoutLeaks(backend);
    const read = (t: tf.Tensor) => Array.from(t.dataSync());

    test('k3 = r − log r − 1 with r = π_ref / π_θ, by hand', () => {
      const v = tf.tidy(() => k3(tf.tensor2d([[0, -1]]), tf.tensor2d([[Math.log(2), -1]])));
      expect(read(v)[0]).toBeCloseTo(2 - Math.log(2) - 1, 6);
      expect(read(v)[1]).toBe(0);
      v.dispose();
    });
    test('k3 keeps its digits where exp(d) − 1 − d cancels', () => {
      const [stable, naive] = tf.tidy(() => {
        const lp = tf.tensor2d([[0]]);
        const ref = tf.tensor2d([[1e-4]]);
        return [k3(lp, ref), k3Naive(lp, ref)];
      });
      const exact = Math.expm1(Math.fround(1e-4)) - Math.fround(1e-4);
      expect(Math.abs(read(stable)[0] - exact) / exact).toBeLessThan(1e-2);
      expect(Math.abs(read(naive)[0] - exact) / exact).toBeGreaterThan(0.5);
      tf.dispose([stable, naive]);
    });
    test("k3's gradient with respect to log π_θ is 1 − π_ref / π_θ", () => {
      const g = tf.tidy(() => {
        const ref = tf.tensor2d([[Math.log(0.5), Math.log(0.2)]]);
        return tf.grad((lp) => k3(lp as tf.Tensor2D, ref).sum())(
          tf.tensor2d([[Math.log(0.25), Math.log(0.4)]]),
        );
      });
      const [a, b] = read(g);
      expect(a).toBeCloseTo(1 - 0.5 / 0.25, 5);
      expect(b).toBeCloseTo(1 - 0.2 / 0.4, 5);
      g.dispose();
    });

    // two answers: 1 token and 3 tokens, the padding and prompt positions masked
    const maskRows = [
      [0, 1, 0, 0],
      [0, 1, 1, 1],
    ];
    const values = [
      [9, 2, 9, 9],
      [9, 1, 4, 7],
    ];
    test('the aggregations: sequence mean, token mean, sum over B · L_max', () => {
      const [seq, tok, con] = tf.tidy(() => {
        const x = tf.tensor2d(values);
        const m = tf.tensor2d(maskRows);
        return [
          aggregate(x, m, 'sequence', 6),
          aggregate(x, m, 'token', 6),
          aggregate(x, m, 'constant', 6),
        ];
      });
      expect(read(seq)[0]).toBeCloseTo((2 + 12 / 3) / 2, 6);
      expect(read(tok)[0]).toBeCloseTo(14 / 4, 6);
      expect(read(con)[0]).toBeCloseTo(14 / (2 * 6), 6);
      tf.dispose([seq, tok, con]);
    });
    test("GSPO's ratio: the geometric mean of the answer's token ratios, on every token", () => {
      const r = tf.tidy(() =>
        importanceRatio(
          tf.tensor2d([
            [5, 0.3, 5, 5],
            [5, 0.1, 0.2, -0.6],
          ]),
          tf.zeros([2, 4]) as tf.Tensor2D,
          tf.tensor2d(maskRows),
          'sequence',
        ),
      );
      const got = r.arraySync() as number[][];
      got[0].forEach((x) => expect(x).toBeCloseTo(Math.exp(0.3), 5));
      got[1].forEach((x) => expect(x).toBeCloseTo(Math.exp((0.1 + 0.2 - 0.6) / 3), 5));
      r.dispose();
    });
    test('the clipped surrogate, asymmetric: ε_high lets a positive advantage grow further', () => {
      const loss = (epsHigh: number, level: 'token' | 'sequence') =>
        tf.tidy(() => {
          const out = grpoLoss(
            tf.tensor2d([[0, Math.log(1.25)]]),
            tf.zeros([1, 2]) as tf.Tensor2D,
            tf.tensor2d([[0, Math.log(1.25)]]), // the reference: no KL
            tf.tensor1d([2]),
            tf.tensor2d([[0, 1]]),
            { epsLow: 0.2, epsHigh, beta: 0.5, aggregation: 'sequence', level, maxLength: 6 },
          );
          return [out.loss, out.clipFraction, out.kl].map((t) => t.dataSync()[0]);
        });
      // ratio 1.25: clipped to 1.2 with ε_high 0.2, unclipped with 0.28
      const [clippedLoss, clippedShare, kl] = loss(0.2, 'token');
      expect(clippedLoss).toBeCloseTo(-2 * 1.2, 5);
      expect(clippedShare).toBe(1);
      expect(kl).toBeCloseTo(0, 6);
      const [freeLoss, freeShare] = loss(0.28, 'token');
      expect(freeLoss).toBeCloseTo(-2 * 1.25, 5);
      expect(freeShare).toBe(0);
    });
    test('masked tokens change nothing; the k3 penalty adds β · D', () => {
      const run = (pad: number) =>
        tf.tidy(() => {
          const out = grpoLoss(
            tf.tensor2d([[pad, Math.log(0.5)]]),
            tf.tensor2d([[pad, Math.log(0.5)]]),
            tf.tensor2d([[0, Math.log(0.25)]]),
            tf.tensor1d([-1]),
            tf.tensor2d([[0, 1]]),
            {
              epsLow: 0.2,
              epsHigh: 0.2,
              beta: 0.1,
              aggregation: 'token',
              level: 'token',
              maxLength: 6,
            },
          );
          return out.loss.dataSync()[0];
        });
      // ratio 1, advantage −1: surrogate +1; D = 0.5 − log 0.5 − 1
      const expected = 1 + 0.1 * (0.5 - Math.log(0.5) - 1);
      expect(run(-3)).toBeCloseTo(expected, 5);
      expect(run(-30)).toBeCloseTo(expected, 5);
    });
  });
}
