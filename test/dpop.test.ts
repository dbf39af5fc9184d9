// Unit tests of chapter 06: DPOP's loss and objective on hand-computed values, edit distances,
// and the token-level measurements, on every backend.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dpoLoss, logRatioMargin, type PairLogProbs } from '../src/dpo/losses.ts';
import { pairLogProbs } from '../src/dpo/measure.ts';
import { pairBatch, referenceLogProbs, trainDpo } from '../src/dpo/train.ts';
import { editDistance, firstDifference } from '../src/dpop/edit-distance.ts';
import { chosenShortfall, dpopLoss } from '../src/dpop/losses.ts';
import { answerTokenLogProbs, changeAroundDifference, laterTokenProbabilities } from '../src/dpop/tokens.ts';
import { dpopObjective, gradientNorm, trainDpop } from '../src/dpop/train.ts';
import { cloneGpt, createGpt, disposeGpt, type Gpt } from '../src/runtime/model.ts';
import { Rng } from '../src/runtime/random.ts';
import type { PreferencePair } from '../src/reward/preferences.ts';
import { makePrompt } from '../src/workbench/task.ts';
import { tokenize, VOCAB_SIZE } from '../src/workbench/vocab.ts';
import { BACKENDS_UNDER_TEST, onBackendWithoutLeaks } from './support/backends.ts';

const tidy = (body: () => void) => tf.tidy(body);
const softplus = (z: number) => Math.log1p(Math.exp(z));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const silent = { tick() {}, done() {} };
const lnV = Math.log(VOCAB_SIZE);

/** Log-probabilities of pairs, as tensors. */
function logProbs(chosen: number[], rejected: number[], refChosen: number[], refRejected: number[]): PairLogProbs {
  return { chosen: tf.tensor1d(chosen), rejected: tf.tensor1d(rejected), refChosen: tf.tensor1d(refChosen), refRejected: tf.tensor1d(refRejected) };
}

/** d loss / d log π_θ(y_w) and d loss / d log π_θ(y_l), per pair, with the reference's numbers fixed. */
function gradients(loss: (lp: PairLogProbs) => tf.Scalar, lp: PairLogProbs): { chosen: number[]; rejected: number[] } {
  const [gc, gr] = tf.grads((c: tf.Tensor, r: tf.Tensor) =>
    loss({ chosen: c as tf.Tensor1D, rejected: r as tf.Tensor1D, refChosen: lp.refChosen, refRejected: lp.refRejected }),
  )([lp.chosen, lp.rejected]);
  return { chosen: Array.from(gc.dataSync()), rejected: Array.from(gr.dataSync()) };
}

/** Two pairs, one per prompt: answers of different lengths, so the batch needs padding. */
const PAIRS: PreferencePair[] = [
  { prompt: makePrompt([3, 1, 4, 1]), chosen: tokenize('1134$'), rejected: tokenize('13$') },
  { prompt: makePrompt([5, 2, 0, 2]), chosen: tokenize('0225$'), rejected: tokenize('022$') },
];

describe('edit distance (pure JavaScript)', () => {
  test('by hand: substitutions, insertions, deletions, a swap', () => {
    expect(editDistance(tokenize('1469$'), tokenize('1469$'))).toBe(0);
    expect(editDistance(tokenize('1469$'), tokenize('1369$'))).toBe(1); // one digit substituted
    expect(editDistance(tokenize('1134$'), tokenize('113$'))).toBe(1); // one digit missing
    expect(editDistance(tokenize('113$'), tokenize('11344$'))).toBe(2); // two digits too many
    expect(editDistance(tokenize('1234$'), tokenize('2134$'))).toBe(2); // neighbours swapped: two substitutions
    expect(editDistance(tokenize('0000$'), tokenize('1111$'))).toBe(4);
    expect(editDistance([], tokenize('12$'))).toBe(3);
    expect(editDistance(tokenize('12$'), [])).toBe(3);
    // a deletion and an insertion beat two substitutions: 12345 → 23451
    expect(editDistance(tokenize('12345'), tokenize('23451'))).toBe(2);
  });

  test('symmetric', () => {
    const rng = new Rng(3);
    for (let k = 0; k < 20; k++) {
      const a = Array.from({ length: rng.int(6) }, () => rng.int(4));
      const b = Array.from({ length: rng.int(6) }, () => rng.int(4));
      expect(editDistance(a, b)).toBe(editDistance(b, a));
    }
  });

  test('first difference', () => {
    expect(firstDifference(tokenize('1469$'), tokenize('1369$'))).toBe(1);
    expect(firstDifference(tokenize('1469$'), tokenize('2469$'))).toBe(0);
    expect(firstDifference(tokenize('113$'), tokenize('1134$'))).toBe(3); // a prefix: the shorter length
    expect(firstDifference(tokenize('12$'), tokenize('12$'))).toBe(3);
  });
});

describe('token-level measurements (pure JavaScript)', () => {
  const pairs: PreferencePair[] = [
    { prompt: makePrompt([1, 4, 6, 9]), chosen: tokenize('1469$'), rejected: tokenize('1369$') }, // differ at 1
    { prompt: makePrompt([0, 1, 6, 9]), chosen: tokenize('0169$'), rejected: tokenize('2169$') }, // differ at 0
  ];

  test('change before, at and after the first difference, by hand', () => {
    const reference = [
      [-0.1, -0.2, -0.3, -0.4, -0.5],
      [-1, -1, -1, -1, -1],
    ];
    const policy = [
      [0, -0.2, -0.5, -0.4, -0.9], // changes +0.1 | 0 | −0.2, 0, −0.4
      [-0.5, -1, -2, -1, -1], // changes | +0.5 | 0, −1, 0, 0
    ];
    const change = changeAroundDifference(pairs, policy, reference);
    expect(change.before).toBeCloseTo(0.1, 10); // one token before a difference, in the first pair
    expect(change.at).toBeCloseTo((0 + 0.5) / 2, 10);
    expect(change.after).toBeCloseTo((-0.2 + 0 - 0.4 + 0 - 1 + 0 + 0) / 7, 10);
  });

  test('p and q of the later tokens, in order', () => {
    const chosen = [
      [0, 0, Math.log(0.9), Math.log(0.8), Math.log(0.7)],
      [0, Math.log(0.5), Math.log(0.6), 0, 0],
    ];
    const rejected = [
      [0, 0, Math.log(0.3), Math.log(0.2), Math.log(0.1)],
      [0, Math.log(0.4), 0, 0, 0],
    ];
    const later = laterTokenProbabilities(pairs, chosen, rejected);
    expect(later.length).toBe(3 + 4);
    expect(later[0].p).toBeCloseTo(0.9, 10);
    expect(later[0].q).toBeCloseTo(0.3, 10);
    expect(later[2].q).toBeCloseTo(0.1, 10);
    expect(later[3].p).toBeCloseTo(0.5, 10); // the second pair differs at 0: its later tokens start at 1
    expect(later[3].q).toBeCloseTo(0.4, 10);
  });
});

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

    test('penalty inactive (π_θ(y_w) ≥ π_ref(y_w)): DPOP is DPO', () => tidy(() => {
      // chosen 0.5 nats above its reference, rejected 1 nat below: h = 1.5, no shortfall
      const lp = logProbs([-1], [-5], [-1.5], [-4]);
      expect(chosenShortfall(lp).dataSync()[0]).toBe(0);
      expect(dpopLoss(lp, 0.1, 50).dataSync()[0]).toBeCloseTo(softplus(-0.15), 6);
      expect(dpopLoss(lp, 0.1, 50).dataSync()[0]).toBeCloseTo(dpoLoss(logRatioMargin(lp), 0.1).dataSync()[0], 6);
    }));

    test('penalty active, by hand: inside the sigmoid, scaled by β', () => tidy(() => {
      // chosen 1 nat below its reference (shortfall 1), rejected 2 nats above: h = −1 − 2 = −3
      // z = β (h − λ · 1) = 0.1 · (−3 − 50) = −5.3; loss = −log σ(−5.3) = softplus(5.3)
      const lp = logProbs([-2], [-1], [-1], [-3]);
      expect(chosenShortfall(lp).dataSync()[0]).toBeCloseTo(1, 6);
      expect(dpopLoss(lp, 0.1, 50).dataSync()[0]).toBeCloseTo(softplus(5.3), 5);
      // the same as DPO with the chosen log-ratio counted (1 + λ) times: −log σ(β[(1 + λ)ρ_w − ρ_l])
      expect(dpopLoss(lp, 0.1, 50).dataSync()[0]).toBeCloseTo(softplus(-0.1 * (51 * -1 - 2)), 5);
    }));

    test('λ = 0 is DPO, active or not; the mean (not the sum) over pairs', () => tidy(() => {
      const lp = logProbs([-2, -1, -7], [-1, -5, -3], [-1, -1.5, -6], [-3, -4, -3.5]);
      expect(dpopLoss(lp, 0.2, 0).dataSync()[0]).toBeCloseTo(dpoLoss(logRatioMargin(lp), 0.2).dataSync()[0], 6);
      // pairs: h = [−3, 1.5, −1.5], shortfall = [1, 0, 1]
      const expected = [softplus(-0.2 * (-3 - 10)), softplus(-0.2 * 1.5), softplus(-0.2 * (-1.5 - 10))];
      expect(dpopLoss(lp, 0.2, 10).dataSync()[0]).toBeCloseTo((expected[0] + expected[1] + expected[2]) / 3, 5);
      const twice = logProbs([-2, -1, -7, -2, -1, -7], [-1, -5, -3, -1, -5, -3], [-1, -1.5, -6, -1, -1.5, -6], [-3, -4, -3.5, -3, -4, -3.5]);
      expect(dpopLoss(twice, 0.2, 10).dataSync()[0]).toBeCloseTo((expected[0] + expected[1] + expected[2]) / 3, 5);
    }));

    test('gradients by hand: the chosen answer weighs (1 + λ) times while it is below the reference', () => tidy(() => {
      const beta = 0.1;
      const lambda = 50;
      // pair 1 active (z = −5.3), pair 2 inactive (h = 1.5, z = 0.15); n = 2 pairs
      const lp = logProbs([-2, -1], [-1, -5], [-1, -1.5], [-3, -4]);
      const g = gradients((x) => dpopLoss(x, beta, lambda), lp);
      const w1 = beta * sigmoid(5.3);
      const w2 = beta * sigmoid(-0.15);
      expect(g.chosen[0]).toBeCloseTo((-(1 + lambda) * w1) / 2, 5);
      expect(g.chosen[1]).toBeCloseTo(-w2 / 2, 6);
      expect(g.rejected[0]).toBeCloseTo(w1 / 2, 6);
      expect(g.rejected[1]).toBeCloseTo(w2 / 2, 6);
      // DPO's gradient on the same pairs: the chosen weight is 1, and the pair weight σ(−βh) is smaller
      const d = gradients((x) => dpoLoss(logRatioMargin(x), beta), lp);
      expect(d.chosen[0]).toBeCloseTo((-beta * sigmoid(0.3)) / 2, 6);
      expect(g.chosen[0] / d.chosen[0]).toBeGreaterThan(1 + lambda);
    }));

    test('at π_θ = π_ref the penalty is at its kink and contributes nothing: the first step is DPO', () => tidy(() => {
      const lp = logProbs([-2, -3], [-4, -1], [-2, -3], [-4, -1]);
      const g = gradients((x) => dpopLoss(x, 0.1, 50), lp);
      // h = 0: each pair's gradient is ∓β σ(0) / n = ∓0.025
      expect(g.chosen).toEqual([expect.closeTo(-0.025, 6), expect.closeTo(-0.025, 6)]);
      expect(g.rejected).toEqual([expect.closeTo(0.025, 6), expect.closeTo(0.025, 6)]);
      expect(dpopLoss(lp, 0.1, 50).dataSync()[0]).toBeCloseTo(Math.log(2), 6);
    }));

    test('the objective: summed response tokens (prompt and padding masked), mean over pairs', () => tidy(() => {
      const flat = cloneGpt(model);
      flat.params.head.assign(tf.zerosLike(flat.params.head)); // uniform: every token has log-prob −ln 14
      // answers of 5, 3, 5 and 4 counted tokens; the references put pair 1's chosen 1 nat above (shortfall 1)
      // and pair 2's chosen 1 nat below the policy (no shortfall), the rejected answers where the policy is
      const reference = { chosen: [-5 * lnV + 1, -5 * lnV - 1], rejected: [-3 * lnV, -4 * lnV] };
      const objective = dpopObjective(flat, reference, { beta: 0.1, lambda: 50, epochs: 1, batchSize: 2, lr: 0, measureEvery: 1 });
      const batch = pairBatch(PAIRS);
      // pair 1: h = −1, z = 0.1 (−1 − 50); pair 2: h = 1, z = 0.1
      const expected = (softplus(5.1) + softplus(-0.1)) / 2;
      expect(objective(batch, [0, 1]).dataSync()[0]).toBeCloseTo(expected, 4);
      // the same pairs twice: the same loss
      const doubled = pairBatch([...PAIRS, ...PAIRS]);
      const objective2 = dpopObjective(flat, { chosen: [...reference.chosen, ...reference.chosen], rejected: [...reference.rejected, ...reference.rejected] }, { beta: 0.1, lambda: 50, epochs: 1, batchSize: 4, lr: 0, measureEvery: 1 });
      expect(objective2(doubled, [0, 1, 2, 3]).dataSync()[0]).toBeCloseTo(expected, 4);
      disposeGpt(flat);
    }));

    test('answer token log-probs: the answer tokens only, end token included; they sum to the answer log-prob', () => {
      const flat = cloneGpt(model);
      tidy(() => flat.params.head.assign(tf.zerosLike(flat.params.head)));
      const uniform = answerTokenLogProbs(flat, PAIRS, 'rejected');
      expect(uniform.map((row) => row.length)).toEqual([3, 4]);
      for (const row of uniform) for (const lp of row) expect(lp).toBeCloseTo(-lnV, 4);
      disposeGpt(flat);
      for (const side of ['chosen', 'rejected'] as const) {
        const tokens = answerTokenLogProbs(model, PAIRS, side);
        const whole = pairLogProbs(model, pairBatch(PAIRS))[side];
        tokens.forEach((row, i) => expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(whole[i], 4));
      }
    });

    test('gradient norm by hand: the loss Σ head has gradient one on each of its 8 × 14 entries', () => {
      const norm = gradientNorm(model, () => model.params.head.sum() as tf.Scalar, pairBatch(PAIRS), [0, 1]);
      expect(norm).toBeCloseTo(Math.sqrt(8 * VOCAB_SIZE), 4);
    });

    test('DPOP training leaks nothing and keeps the reference; below the reference, it pulls the chosen answers up harder than DPO', () => {
      const ref = referenceLogProbs(model, PAIRS);
      // a reference 1 nat likelier on each chosen answer than the starting policy: the penalty is active from the first step
      const raised = { chosen: ref.chosen.map((x) => x + 1), rejected: ref.rejected };
      const before = tf.memory().numTensors;
      const config = { epochs: 5, batchSize: 2, lr: 1e-2, measureEvery: 5 };
      const chosenGain = (policy: Gpt) => pairLogProbs(policy, pairBatch(PAIRS)).chosen.reduce((s, lp, i) => s + lp - ref.chosen[i], 0);
      const dpop = cloneGpt(model);
      const measured: number[] = [];
      const losses = trainDpop(dpop, PAIRS, raised, { ...config, beta: 0.5, lambda: 50 }, new Rng(1), silent, (step) => measured.push(step));
      const dpopGain = chosenGain(dpop);
      disposeGpt(dpop);
      const dpo = cloneGpt(model);
      const dpoLosses = trainDpo(dpo, PAIRS, raised, { ...config, loss: { kind: 'dpo', beta: 0.5 }, reduction: 'sum' }, new Rng(1), silent);
      const dpoGain = chosenGain(dpo);
      disposeGpt(dpo);
      expect(tf.memory().numTensors).toBe(before);
      expect(losses.length).toBe(5);
      expect(measured).toEqual([0, 5]);
      // first step, h = −1 on both pairs: DPOP z = 0.5 (−1 − 50 · 1), DPO z = 0.5 · (−1)
      expect(losses[0]).toBeCloseTo(softplus(25.5), 3);
      expect(dpoLosses[0]).toBeCloseTo(softplus(0.5), 5);
      expect(dpopGain).toBeGreaterThan(dpoGain);
      expect(dpopGain).toBeGreaterThan(0);
      expect(referenceLogProbs(model, PAIRS)).toEqual(ref);
    });
  });
}
