// Unit tests of chapter 12's reward-model tools (src/reward-models/) on hand-computed values:
// the reliability table and held-out loss, Gao's fits, the skimming labeller, the rubric's
// ratings, ArmoRM's decorrelation and mixture, and the one-pass training of several sizes.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PreferencePair } from '../src/reward/preferences.ts';
import { createGpt, disposeGpt, type Gpt } from '../src/runtime/model.ts';
import { Rng } from '../src/runtime/random.ts';
import { disposeScalarModel, type ScalarModel } from '../src/runtime/scalar.ts';
import {
  armoScore,
  attributeScores,
  decorrelation,
  disposeArmo,
  gateWeightsOf,
  KEPT,
  trainAttributeHeads,
  trainGate,
  type Armo,
} from '../src/reward-models/armo.ts';
import { ATTRIBUTES, ratings, SPURIOUS } from '../src/reward-models/attributes.ts';
import { heldOutLoss, reliability } from '../src/reward-models/calibration.ts';
import { fitGao, gaoCurve, gaoPeak, rSquared } from '../src/reward-models/gao.ts';
import { digitsOf, digitSize, skimmedPairs } from '../src/reward-models/labeller.ts';
import { cloneScalarModel, trainOnePass } from '../src/reward-models/one-pass.ts';
import { GPT_CONFIG } from '../src/workbench/base.ts';
import {
  heldOutPrompts,
  idealAnswer,
  makePrompt,
  randomPrompt,
} from '../src/workbench/task.ts';
import { exampleBatch } from '../src/workbench/train.ts';
import { EOS } from '../src/workbench/vocab.ts';
import { BACKENDS_UNDER_TEST, onBackendWithoutLeaks } from './support/backends.ts';

const silent = { tick() {}, done() {} };

/** A tensor computed in a tidy, as numbers, and then freed. */
function numbers<T>(f: () => tf.Tensor): T {
  const t = tf.tidy(f);
  const values = t.arraySync() as T;
  t.dispose();
  return values;
}
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe('the reliability table', () => {
  // 5 bins of width 0.1 on [0.5, 1]; the bet is σ(|m|):
  //   m = 0    → σ(0)   = 0.5      → bin 0 (floor(0 / 0.1) = 0), a tie: ½ a win
  //   m = −0.2 → σ(0.2) = 0.549834 → bin 0 (floor(0.498) = 0), lost
  //   m = 1    → σ(1)   = 0.731059 → bin 2 (floor(2.31) = 2), won
  //   m = −1   → σ(1)   = 0.731059 → bin 2, lost
  //   m = 3    → σ(3)   = 0.952574 → bin 4 (floor(4.53) = 4), won
  // bins 1 and 3 are empty.
  const margins = [0, -0.2, 1, -1, 3];
  const table = reliability(margins);

  test('bins: bounds, counts, mean bet and share won; empty bins left out and counted', () => {
    expect(table.empty).toBe(2);
    expect(table.bins).toHaveLength(3);
    const [b0, b2, b4] = table.bins;
    expect(b0.from).toBeCloseTo(0.5, 12);
    expect(b0.to).toBeCloseTo(0.6, 12);
    expect(b0.count).toBe(2);
    expect(b0.predicted).toBeCloseTo((0.5 + 0.549834) / 2, 6); // 0.524917
    expect(b0.observed).toBe(0.25); // (½ + 0) / 2
    expect(b2.from).toBeCloseTo(0.7, 12);
    expect(b2.to).toBeCloseTo(0.8, 12);
    expect(b2.count).toBe(2);
    expect(b2.predicted).toBeCloseTo(0.731059, 6);
    expect(b2.observed).toBe(0.5); // (1 + 0) / 2
    expect(b4.from).toBeCloseTo(0.9, 12);
    expect(b4.to).toBeCloseTo(1, 12);
    expect(b4.count).toBe(1);
    expect(b4.predicted).toBeCloseTo(0.952574, 6);
    expect(b4.observed).toBe(1);
  });

  test('ECE: the count-weighted mean gap between bet and hit rate', () => {
    // 2/5 · |0.524917 − 0.25| + 2/5 · |0.731059 − 0.5| + 1/5 · |0.952574 − 1|
    //   = 0.109967 + 0.092424 + 0.009485 = 0.211876
    expect(table.ece).toBeCloseTo(0.211876, 5);
    const exact =
      0.4 * ((0.5 + sigmoid(0.2)) / 2 - 0.25) +
      0.4 * (sigmoid(1) - 0.5) +
      0.2 * (1 - sigmoid(3));
    expect(table.ece).toBeCloseTo(exact, 12);
  });

  test('a very confident bet (σ = 1) falls in the last bin, not past it', () => {
    const { bins, empty } = reliability([50, -50]);
    expect(empty).toBe(4);
    expect(bins).toEqual([
      { from: 0.5 + 4 * 0.1, to: 0.5 + 5 * 0.1, count: 2, predicted: 1, observed: 0.5 },
    ]);
    expect(reliability([50, -50]).ece).toBeCloseTo(0.5, 12); // |1 − ½|
  });

  test('a calibrated table: every bet at σ(1), won 73.1% of the time', () => {
    // 731 of 1000 bets at σ(1) = 0.731059 won: ECE = |0.731059 − 0.731| = 0.000059
    const won = Math.round(sigmoid(1) * 1000);
    const ms = Array.from({ length: 1000 }, (_, i) => (i < won ? 1 : -1));
    const { bins, ece } = reliability(ms);
    expect(bins).toHaveLength(1);
    expect(bins[0].observed).toBe(won / 1000);
    expect(ece).toBeCloseTo(sigmoid(1) - 0.731, 12);
  });

  test('heldOutLoss: mean log(1 + e^{−m})', () => {
    // ln 2 = 0.693147, ln(1 + e^{−1}) = 0.313262, ln(1 + e²) = 2.126928: mean 1.044446
    expect(heldOutLoss([0, 1, -2])).toBeCloseTo(1.044446, 6);
    expect(heldOutLoss([0])).toBeCloseTo(Math.LN2, 15);
    const ms = [0.3, -0.7, 2.5];
    const mean = ms.reduce((s, m) => s + Math.log(1 + Math.exp(-m)), 0) / ms.length;
    expect(heldOutLoss(ms)).toBeCloseTo(mean, 12);
  });
});

describe('Gao et al.’s fits', () => {
  test('best-of-n: noiseless R = αd − βd² gives back α and β', () => {
    const d = [0.5, 1, 2, 3];
    const gain = d.map((x) => 2 * x - 0.5 * x * x);
    const fit = fitGao('best-of-n', d, gain);
    expect(fit.alpha).toBeCloseTo(2, 10);
    expect(fit.beta).toBeCloseTo(0.5, 10);
    expect(rSquared('best-of-n', fit, d, gain)).toBeCloseTo(1, 10);
  });

  test('RL: noiseless R = αd − β d log d gives back α and β', () => {
    const d = [0.5, 1, 2, 4];
    const gain = d.map((x) => 1.5 * x - 0.3 * x * Math.log(x));
    const fit = fitGao('rl', d, gain);
    expect(fit.alpha).toBeCloseTo(1.5, 10);
    expect(fit.beta).toBeCloseTo(0.3, 10);
    expect(rSquared('rl', fit, d, gain)).toBeCloseTo(1, 10);
  });

  test('two points, solved by hand', () => {
    // best-of-n at d = 1, 2 with gains 1, 0: α − β = 1 and 2α − 4β = 0, so α = 2, β = 1
    const bon = fitGao('best-of-n', [1, 2], [1, 0]);
    expect(bon.alpha).toBeCloseTo(2, 12);
    expect(bon.beta).toBeCloseTo(1, 12);
    // RL at d = 1, e with gains 1, 0: α − 0 = 1 (log 1 = 0) and αe − βe = 0, so α = β = 1
    const rl = fitGao('rl', [1, Math.E], [1, 0]);
    expect(rl.alpha).toBeCloseTo(1, 12);
    expect(rl.beta).toBeCloseTo(1, 12);
  });

  test('three points, least squares by hand, and its R²', () => {
    // best-of-n, d = 1, 1, 2, gains 0, 2, 0; columns x = d, z = −d²:
    //   Σxx = 6, Σxz = −10, Σzz = 18, Σx·R = 2, Σz·R = −2, det = 6·18 − 100 = 8
    //   α = (2·18 − (−2)(−10)) / 8 = 16/8 = 2, β = (6·(−2) − (−10)·2) / 8 = 8/8 = 1
    const d = [1, 1, 2];
    const gain = [0, 2, 0];
    const fit = fitGao('best-of-n', d, gain);
    expect(fit.alpha).toBeCloseTo(2, 12);
    expect(fit.beta).toBeCloseTo(1, 12);
    // the fit is 1, 1, 0: residuals 1 + 1 + 0 = 2; mean gain 2/3, total 4/9 + 16/9 + 4/9 = 24/9
    // R² = 1 − 2 / (24/9) = 1 − 18/24 = 0.25
    expect(rSquared('best-of-n', fit, d, gain)).toBeCloseTo(0.25, 12);
  });

  test('distances that do not fix α and β are refused', () => {
    expect(() => fitGao('best-of-n', [0, 0, 0], [0, 1, 2])).toThrow(/do not fix α and β/);
    expect(() => fitGao('rl', [0, 0], [0, 1])).toThrow(/do not fix α and β/);
    expect(() => fitGao('best-of-n', [1], [1])).toThrow(/do not fix/); // one point
    // RL at d = 1 only: d log d = 0 there, so β is not seen
    expect(() => fitGao('rl', [1, 1], [1, 2])).toThrow(/do not fix/);
    expect(() => fitGao('rl', [], [])).toThrow(/do not fix/);
  });

  test('the peak: α/(2β) for best-of-n, exp(α/β − 1) for RL, ∞ for β ≤ 0', () => {
    expect(gaoPeak('best-of-n', { alpha: 2, beta: 0.5 })).toBeCloseTo(2, 15); // 2 / (2 · 0.5)
    expect(gaoPeak('best-of-n', { alpha: 2, beta: 1 })).toBeCloseTo(1, 15);
    expect(gaoPeak('rl', { alpha: 1, beta: 0.5 })).toBeCloseTo(Math.E, 12); // e^{2 − 1}
    expect(gaoPeak('rl', { alpha: 1, beta: 1 })).toBeCloseTo(1, 15); // e^0
    expect(gaoPeak('best-of-n', { alpha: 1, beta: 0 })).toBe(Infinity);
    expect(gaoPeak('rl', { alpha: 1, beta: -0.2 })).toBe(Infinity);
    // the curve is flat at the peak: R(d* ± h) < R(d*)
    const fit = { alpha: 1, beta: 0.5 };
    const peak = gaoPeak('rl', fit);
    expect(gaoCurve('rl', fit, peak)).toBeGreaterThan(gaoCurve('rl', fit, peak - 0.01));
    expect(gaoCurve('rl', fit, peak)).toBeGreaterThan(gaoCurve('rl', fit, peak + 0.01));
  });

  test('the curve by hand, and 0 at d = 0 for both forms', () => {
    const fit = { alpha: 2, beta: 1 };
    expect(gaoCurve('rl', fit, 0)).toBe(0); // d log d → 0, not NaN
    expect(gaoCurve('best-of-n', fit, 0)).toBe(0);
    expect(gaoCurve('best-of-n', fit, 3)).toBe(-3); // 2·3 − 9
    expect(gaoCurve('rl', fit, 1)).toBe(2); // 2·1 − 1·0
    expect(gaoCurve('rl', fit, Math.E)).toBeCloseTo(Math.E, 12); // 2e − e·1
  });
});

describe('the skimming labeller', () => {
  test('digitsOf: the tokens before the end token, or all of them', () => {
    expect(digitsOf([1, 2, 3, EOS])).toEqual([1, 2, 3]);
    expect(digitsOf([3, EOS, 5])).toEqual([3]);
    expect(digitsOf([9, 9])).toEqual([9, 9]);
    expect(digitsOf([EOS])).toEqual([]);
    expect(digitsOf([])).toEqual([]);
  });

  test('digitSize: the digits’ mean over 9', () => {
    expect(digitSize([1, 2, 3, EOS])).toBeCloseTo(2 / 9, 15); // 6 / (9 · 3)
    expect(digitSize([9, 9])).toBe(1); // no end token: all of it
    expect(digitSize([0, 0, EOS, 9])).toBe(0); // the 9 is after the end
    expect(digitSize([1, 1, 3, 4, EOS])).toBe(0.25); // 9 / 36
    expect(digitSize([EOS])).toBe(0);
    expect(digitSize([])).toBe(0);
  });

  const prompt = makePrompt([3, 1, 4, 1]);
  const pairs: PreferencePair[] = [
    // sizes 1/9 vs 1: the rejected one is larger, a skimmer flips it
    { prompt, chosen: [1, 1, EOS], rejected: [9, EOS] },
    // sizes 1 vs 1/9: already the larger chosen
    { prompt, chosen: [9, EOS], rejected: [1, EOS] },
    // sizes 6/18 = 1/3 and 6/18 = 1/3: equal, the judge's label stays
    { prompt, chosen: [2, 4, EOS], rejected: [3, 3, EOS] },
    // sizes 0 vs 5/9: flipped
    { prompt, chosen: [1, 1, 3, 4, EOS].map(() => 0), rejected: [5, EOS] },
  ];

  test('q = 1: every pair whose rejected answer is larger is flipped, and counted', () => {
    const { pairs: out, flipped } = skimmedPairs(pairs, 1, new Rng(1));
    expect(flipped).toBe(2);
    expect(out[0]).toEqual({ prompt, chosen: [9, EOS], rejected: [1, 1, EOS] });
    expect(out[1]).toBe(pairs[1]);
    expect(out[2]).toBe(pairs[2]);
    expect(out[3]).toEqual({ prompt, chosen: [5, EOS], rejected: [0, 0, 0, 0, 0] });
    expect(pairs[0].chosen).toEqual([1, 1, EOS]); // the input is left alone
  });

  test('q = 0: nothing changes', () => {
    const { pairs: out, flipped } = skimmedPairs(pairs, 0, new Rng(1));
    expect(flipped).toBe(0);
    out.forEach((p, i) => expect(p).toBe(pairs[i]));
  });

  test('one uniform draw per pair, skimming when it is below q; replayable', () => {
    const q = 0.5;
    const draws = new Rng(42);
    const u = pairs.map(() => draws.uniform());
    const larger = [true, false, false, true]; // rejected strictly larger, from above
    const expected = u.filter((x, i) => x < q && larger[i]).length;
    const rng = new Rng(42);
    const once = skimmedPairs(pairs, q, rng);
    expect(once.flipped).toBe(expected);
    once.pairs.forEach((p, i) => {
      const flip = u[i] < q && larger[i];
      expect(p.chosen).toEqual(flip ? pairs[i].rejected : pairs[i].chosen);
    });
    // the generator has moved on by exactly one draw per pair
    expect(rng.uniform()).toBe(draws.uniform());
    expect(skimmedPairs(pairs, q, new Rng(42))).toEqual(once);
  });
});

describe('the rubric’s ratings', () => {
  const prompt = makePrompt([3, 1, 4, 1]);
  test('[digits, order, length, size], size the spurious one', () => {
    expect(ATTRIBUTES).toEqual(['digits', 'order', 'length', 'size']);
    expect(SPURIOUS).toBe('size');
    expect(KEPT).toEqual([0, 1, 2]);
  });
  test('the sorted answer: [1, 1, 1, size] with size 9/36', () => {
    expect(ratings(prompt, [1, 1, 3, 4, EOS])).toEqual([1, 1, 1, 0.25]);
    expect(ratings(prompt, [...idealAnswer(prompt.digits), EOS, 9])).toEqual([1, 1, 1, 0.25]);
  });
  test('a copy of the unsorted prompt: the right digits, out of order', () => {
    expect(ratings(prompt, [3, 1, 4, 1, EOS])).toEqual([1, 0, 1, 0.25]);
  });
  test('wrong digits, in order and of the right length', () => {
    expect(ratings(prompt, [1, 2, 3, 4, EOS])).toEqual([0, 1, 1, 10 / 36]);
  });
  test('wrong length: the digits no longer match either', () => {
    const [digits, order, length, size] = ratings(prompt, [1, 1, 3, EOS]);
    expect([digits, order, length]).toEqual([0, 1, 0]);
    expect(size).toBeCloseTo(5 / 27, 15);
    expect(ratings(prompt, [1, 1, 3, 4, 4, EOS]).slice(0, 3)).toEqual([0, 1, 0]);
  });
  test('no end token: all 0; an empty answer: all 0', () => {
    expect(ratings(prompt, [1, 1, 3, 4])).toEqual([0, 0, 0, 0]);
    expect(ratings(prompt, [])).toEqual([0, 0, 0, 0]);
    expect(ratings(prompt, [EOS])).toEqual([0, 0, 0, 0]);
  });
});

describe('ArmoRM’s decorrelation', () => {
  // columns in ATTRIBUTES order: digits, order, length, size (= s); the exact (two-sided) λ:
  // s = 0, 1, 2, 3: mean 1.5, variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25
  //   digits = 2s + 1            → λ = 2
  //   order  = 0, 1, 0, 0: mean ¼, cov = (0.375 − 0.375 − 0.125 − 0.375) / 4 = −0.125
  //                               → λ = −0.125 / 1.25 = −0.1
  //   length = 3 − s             → λ = −1
  const s = [0, 1, 2, 3];
  const order = [0, 1, 0, 0];
  const scores = s.map((x, i) => [2 * x + 1, order[i], 3 - x, x]);

  const cov = (a: number[], b: number[]) => {
    const [ma, mb] = [a, b].map((v) => v.reduce((x, y) => x + y, 0) / v.length);
    return a.reduce((sum, x, i) => sum + (x - ma) * (b[i] - mb), 0) / a.length;
  };

  test('two-sided: λ_k = cov(r_k, r_s) / var(r_s), by hand', () => {
    const lambda = decorrelation(scores, true);
    expect(lambda).toHaveLength(3);
    expect(lambda[0]).toBeCloseTo(2, 12);
    expect(lambda[1]).toBeCloseTo(-0.1, 12);
    expect(lambda[2]).toBeCloseTo(-1, 12);
  });

  test('two-sided: the corrected columns r_k − λ_k r_s have no covariance with r_s', () => {
    const lambda = decorrelation(scores, true);
    KEPT.forEach((k, j) => {
      const corrected = scores.map((row) => row[k] - lambda[j] * row[3]);
      expect(Math.abs(cov(corrected, s))).toBeLessThan(1e-12);
    });
    // digits and length become constants: 1 and 3
    scores.forEach((row) => expect(row[0] - lambda[0] * row[3]).toBeCloseTo(1, 12));
    scores.forEach((row) => expect(row[2] - lambda[2] * row[3]).toBeCloseTo(3, 12));
  });

  test('the default, one-sided: max(0, λ_k), so no corrected column correlates positively', () => {
    // max(0, 2) = 2, max(0, −0.1) = 0, max(0, −1) = 0
    const lambda = decorrelation(scores);
    expect(lambda[0]).toBeCloseTo(2, 12);
    expect(lambda.slice(1)).toEqual([0, 0]);
    KEPT.forEach((k, j) => {
      const corrected = scores.map((row) => row[k] - lambda[j] * row[3]);
      expect(cov(corrected, s)).toBeLessThan(1e-12);
    });
    // the negatively correlated columns are left as they are: cov −0.125 and −1.25
    expect(cov(order, s)).toBeCloseTo(-0.125, 12);
    expect(cov(scores.map((row) => row[2]), s)).toBeCloseTo(-1.25, 12);
  });
});

const TINY = { ...GPT_CONFIG, dModel: 8, nHeads: 2, nLayers: 1 };

/** Synthetic training-side pairs: the sorted answer against a run of zeros. */
function syntheticPairs(n: number, rng: Rng): PreferencePair[] {
  return Array.from({ length: n }, () => {
    const prompt = randomPrompt(rng);
    return { prompt, chosen: [...idealAnswer(prompt.digits), EOS], rejected: [0, 0, EOS] };
  });
}

const weightsOf = (rm: ScalarModel) => [
  ...Object.values(rm.body.params).map((p) => Array.from(p.dataSync())),
  Array.from(rm.head.w.dataSync()),
  Array.from(rm.head.b.dataSync()),
];

for (const backend of BACKENDS_UNDER_TEST) {
  describe(`one-pass reward models on ${backend}`, () => {
    onBackendWithoutLeaks(backend);
    let init: Gpt;
    const pairs = syntheticPairs(8, new Rng(5));
    const config = { batchSize: 2, lr: 1e-2 };

    beforeAll(() => {
      init = createGpt(TINY, new Rng(0));
    });
    afterAll(() => disposeGpt(init));

    test('the model after the first 4 pairs of a run to 8 is the model of a run to 4', () => {
      const before = tf.memory().numTensors;
      const long = trainOnePass(init, pairs, [4, 8], config, silent);
      const short = trainOnePass(init, pairs, [4], config, silent);
      expect(long).toHaveLength(2);
      expect(short).toHaveLength(1);
      expect(weightsOf(long[0])).toEqual(weightsOf(short[0]));
      // the second snapshot trained on: its head moved on from the first's
      expect(weightsOf(long[1])).not.toEqual(weightsOf(long[0]));
      // the head started at zero and has learnt something
      expect(long[0].head.w.dataSync().some((x) => x !== 0)).toBe(true);
      [...long, ...short].forEach(disposeScalarModel);
      expect(tf.memory().numTensors).toBe(before);
    });

    test('cloneScalarModel: the same weights, no tensor shared', () => {
      const before = tf.memory().numTensors;
      const [rm] = trainOnePass(init, pairs, [2], config, silent);
      const copy = cloneScalarModel(rm);
      expect(weightsOf(copy)).toEqual(weightsOf(rm));
      expect(copy.head.w).not.toBe(rm.head.w);
      disposeScalarModel(rm);
      expect(copy.head.w.isDisposed).toBe(false);
      expect(Object.values(copy.body.params).every((p) => !p.isDisposed)).toBe(true);
      disposeScalarModel(copy);
      expect(tf.memory().numTensors).toBe(before);
    });

    test('sizes not ascending, not whole batches, or beyond the pairs: a one-line error', () => {
      const before = tf.memory().numTensors;
      const message = (sizes: number[]) => {
        try {
          trainOnePass(init, pairs, sizes, config, silent);
        } catch (e) {
          return (e as Error).message;
        }
        return 'no error';
      };
      for (const sizes of [[4, 4], [8, 4], [3], [2, 5], [0, 2], [10], [4, 10]]) {
        const got = message(sizes);
        expect(got).toBe(
          `trainOnePass: sizes ${sizes.join(', ')} are not ascending whole batches ` +
            `of 2 within 8 pairs`,
        );
        expect(got).not.toContain('\n');
      }
      const leaked = [{ ...pairs[0], prompt: heldOutPrompts(1)[0] }, ...pairs.slice(1)];
      expect(() => trainOnePass(init, leaked, [2], config, silent)).toThrow(
        /trainOnePass: 1 held-out prompts/,
      );
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  describe(`the ArmoRM mixture on ${backend}`, () => {
    onBackendWithoutLeaks(backend);
    let init: Gpt;
    const pairs = syntheticPairs(4, new Rng(9));
    const lambda = [0.5, -1, 2];
    const prompts = [makePrompt([3, 1, 4, 1]), makePrompt([9, 0, 9, 0]), makePrompt([2, 7, 1, 8])];
    const batch = exampleBatch([
      { prompt: prompts[0], response: [1, 1, 3, 4, EOS] },
      { prompt: prompts[1], response: [9, EOS] },
      { prompt: prompts[2], response: [0, 0, 0, 0, 0, 0] },
    ]);

    /** Heads with no training and random weights, and a zero gate at scale 2. */
    function handMade(): Armo {
      const heads = trainAttributeHeads(
        init,
        pairs,
        { epochs: 0, batchSize: 2, lr: 0 },
        new Rng(1),
        silent,
      );
      tf.tidy(() => {
        heads.w.assign(tf.randomNormal(heads.w.shape, 0, 1, 'float32', 3));
        heads.b.assign(tf.tensor1d([0.1, -0.2, 0.3, 0.4]));
      });
      const noSteps = { steps: 0, batchSize: 2, lr: 0 };
      const armo = trainGate(heads, lambda, pairs, noSteps, new Rng(2), silent);
      tf.tidy(() => armo.gate.logScale.assign(tf.scalar(Math.log(2))));
      return armo;
    }

    beforeAll(() => {
      init = createGpt(TINY, new Rng(0));
    });
    afterAll(() => disposeGpt(init));

    test('a zero gate weighs the K′ = 3 corrected attributes 1/3 each', () => {
      const armo = handMade();
      for (const row of gateWeightsOf(armo, batch)) {
        expect(row).toHaveLength(3);
        row.forEach((g) => expect(g).toBeCloseTo(1 / 3, 6));
      }
      disposeArmo(armo);
    });

    test('with log-scale ln 2 the score is 2 · mean_k (r_k − λ_k r_s)', () => {
      const armo = handMade();
      const r = numbers<number[][]>(() => attributeScores(armo.heads, batch));
      // r_s is column 3 (size); e.g. 2 · ((r0 − 0.5 r3) + (r1 + r3) + (r2 − 2 r3)) / 3
      const expected = r.map(
        (row) => (2 * KEPT.reduce((sum, k, j) => sum + row[k] - lambda[j] * row[3], 0)) / 3,
      );
      const got = numbers<number[]>(() => armoScore(armo, batch));
      expect(got).toHaveLength(3);
      got.forEach((x, i) => expect(x).toBeCloseTo(expected[i], 5));
      // the heads are not all zero: the test has something to compare
      expect(expected.some((x) => Math.abs(x) > 1e-3)).toBe(true);
      disposeArmo(armo);
    });

    test('a non-zero gate: rows of g sum to 1, and the score is 2 Σ_k g_k r′_k', () => {
      const armo = handMade();
      tf.tidy(() => {
        armo.gate.w.assign(tf.randomNormal(armo.gate.w.shape, 0, 3, 'float32', 4));
        armo.gate.b.assign(tf.tensor1d([1, 0, -1]));
      });
      const g = gateWeightsOf(armo, batch);
      g.forEach((row) => expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6));
      expect(g.some((row) => Math.abs(row[0] - row[2]) > 1e-2)).toBe(true); // not uniform
      const r = numbers<number[][]>(() => attributeScores(armo.heads, batch));
      const expected = r.map(
        (row, i) =>
          2 * KEPT.reduce((sum, k, j) => sum + g[i][j] * (row[k] - lambda[j] * row[3]), 0),
      );
      const got = numbers<number[]>(() => armoScore(armo, batch));
      got.forEach((x, i) => expect(x).toBeCloseTo(expected[i], 5));
      disposeArmo(armo);
    });

    test('a short training of heads and gate leaves no tensor behind', () => {
      const before = tf.memory().numTensors;
      const headTraining = { epochs: 1, batchSize: 2, lr: 1e-2 };
      const heads = trainAttributeHeads(init, pairs, headTraining, new Rng(1), silent);
      const gateTraining = { steps: 2, batchSize: 2, lr: 1e-2 };
      const armo = trainGate(heads, lambda, pairs, gateTraining, new Rng(2), silent);
      expect(armo.gate.logScale.dataSync()[0]).not.toBe(0); // the gate trained
      disposeArmo(armo);
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}

describe('edge cases', () => {
  test('the held-out loss does not overflow on a confidently wrong margin', () => {
    // −log σ(−800) = 800 + log(1 + e^−800) = 800 to double precision
    expect(heldOutLoss([-800])).toBeCloseTo(800, 9);
    expect(heldOutLoss([800])).toBe(0);
  });

  test('a constant spurious score needs no correction', () => {
    // var(r_s) = 0: no head can correlate with it, so every λ is 0 (not NaN)
    const rows = [
      [1, 2, 3, 0.5],
      [0, 1, 0, 0.5],
    ];
    expect(decorrelation(rows)).toEqual([0, 0, 0]);
    expect(decorrelation(rows, true)).toEqual([0, 0, 0]);
  });

  test('only digits count toward an answer’s size and order', () => {
    // tokens 10..13 are markers: [10, 13, 12] has no digits; [1, 10, 8] has 1 and 8
    expect(digitSize([10, 13, 12, EOS])).toBe(0);
    expect(digitSize([1, 10, 8, EOS])).toBeCloseTo(9 / 18, 12);
    const prompt = makePrompt([1, 1, 3, 4]);
    // a marker before the end: no order, no right length (digits 0: not the prompt's)
    expect(ratings(prompt, [1, 1, 3, 10, EOS])).toEqual([0, 0, 0, 5 / 27]);
  });

  test('trainOnePass refuses an empty list of sizes', () => {
    expect(() => trainOnePass(undefined as never, [], [], { batchSize: 2, lr: 1e-3 }, silent))
      .toThrow(/sizes {2}are not ascending/);
  });
});
