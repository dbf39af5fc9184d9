// Unit tests of chapter 07's TDPO: the sequential KL (its direction, masking and sum over tokens),
// TDPO1 and TDPO2 on hand-computed values, the stop-gradient, the batch reduction, and the
// objective against DPO's — on every backend, with no tensor left behind.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dpoLoss } from '../src/dpo/losses.ts';
import { dpoObjective, pairBatch, referenceLogProbs } from '../src/dpo/train.ts';
import { exactTokenKl } from '../src/kl/token-kl.ts';
import { cloneGpt, createGpt, disposeGpt, type Gpt } from '../src/runtime/model.ts';
import { Rng } from '../src/runtime/random.ts';
import type { PreferencePair } from '../src/reward/preferences.ts';
import { stopGradient, tdpoLogit, tdpoLoss, type TdpoTerms } from '../src/tdpo/losses.ts';
import { answerView, distinctAnswers, fixedBatch, tokenEntropy } from '../src/tdpo/measure.ts';
import { sequentialKl } from '../src/tdpo/sequential-kl.ts';
import { responseTokenLogProbs, slipParts } from '../src/tdpo/slips.ts';
import { tdpoObjective, trainTdpo } from '../src/tdpo/train.ts';
import { makePrompt } from '../src/workbench/task.ts';
import { exampleBatch } from '../src/workbench/train.ts';
import { tokenize, VOCAB_SIZE } from '../src/workbench/vocab.ts';
import { BACKENDS_UNDER_TEST, onBackendWithoutLeaks } from './support/backends.ts';

const tidy = (body: () => void) => tf.tidy(body);
const softplus = (z: number) => Math.log1p(Math.exp(z));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const silent = { tick() {}, done() {} };
const values = (t: tf.Tensor) => Array.from(t.dataSync());

/** TDPO's terms from plain numbers, one entry per pair. */
function terms(h: number[], klChosen: number[], klRejected: number[]): TdpoTerms {
  return { h: tf.tensor1d(h), klChosen: tf.tensor1d(klChosen), klRejected: tf.tensor1d(klRejected) };
}

/** Two pairs with responses of different lengths, so that the batch needs padding. */
const PAIRS: PreferencePair[] = [
  { prompt: makePrompt([3, 1, 4, 1]), chosen: tokenize('1134$'), rejected: tokenize('13$') },
  { prompt: makePrompt([5, 2, 0, 2]), chosen: tokenize('0225$'), rejected: tokenize('022$') },
];

/** A copy of `model` whose next-token distribution is softmax([2, 0, …, 0]) at every position. */
function rigged(model: Gpt): Gpt {
  const copy = cloneGpt(model);
  const d = model.config.dModel;
  tf.tidy(() => {
    copy.params['lnf.g'].assign(tf.zeros([d]));
    copy.params['lnf.b'].assign(tf.oneHot([0], d).reshape([d]).toFloat());
    copy.params.head.assign(tf.oneHot([0], d).reshape([d, 1]).mul(tf.oneHot([0], VOCAB_SIZE).reshape([1, VOCAB_SIZE])).mul(2));
  });
  return copy;
}

/** A copy of `model` whose next-token distribution is uniform at every position. */
function uniform(model: Gpt): Gpt {
  const copy = cloneGpt(model);
  tf.tidy(() => copy.params.head.assign(tf.zerosLike(copy.params.head)));
  return copy;
}

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

    test('TDPO1 and TDPO2 by hand', () => tidy(() => {
      // h = 2, D_w = 1, D_l = 3, β = 0.1: u = 0.2, δ = 0.3 − 0.1 = 0.2
      const t = terms([2], [1], [3]);
      expect(values(tdpoLogit(t, { kind: 'tdpo1', beta: 0.1 }))[0]).toBeCloseTo(0, 6);
      expect(values(tdpoLoss(t, { kind: 'tdpo1', beta: 0.1 }))[0]).toBeCloseTo(Math.log(2), 6);
      // TDPO2, α = 0.5: u − α δ₂ = 0.2 − 0.5 · 0.2 = 0.1
      expect(values(tdpoLogit(t, { kind: 'tdpo2', beta: 0.1, alpha: 0.5 }))[0]).toBeCloseTo(0.1, 6);
      expect(values(tdpoLoss(t, { kind: 'tdpo2', beta: 0.1, alpha: 0.5 }))[0]).toBeCloseTo(softplus(-0.1), 6);
      // a larger KL on the chosen answer raises the logit of both: + β D_w and + α β D_w
      const t2 = terms([2], [4], [3]);
      expect(values(tdpoLogit(t2, { kind: 'tdpo1', beta: 0.1 }))[0]).toBeCloseTo(0.3, 6);
      expect(values(tdpoLogit(t2, { kind: 'tdpo2', beta: 0.1, alpha: 0.5 }))[0]).toBeCloseTo(0.25, 6);
    }));

    test('with both sequential KLs zero, TDPO1 and TDPO2 are DPO, in value and gradient', () => tidy(() => {
      const h = [3, -1, 0.5];
      const zeros = [0, 0, 0];
      const dpo = values(dpoLoss(tf.tensor1d(h), 0.1))[0];
      expect(values(tdpoLoss(terms(h, zeros, zeros), { kind: 'tdpo1', beta: 0.1 }))[0]).toBeCloseTo(dpo, 6);
      expect(values(tdpoLoss(terms(h, zeros, zeros), { kind: 'tdpo2', beta: 0.1, alpha: 0.5 }))[0]).toBeCloseTo(dpo, 6);
      const dpoGrad = values(tf.grad((x: tf.Tensor) => dpoLoss(x as tf.Tensor1D, 0.1))(tf.tensor1d(h)));
      for (const variant of [{ kind: 'tdpo1', beta: 0.1 }, { kind: 'tdpo2', beta: 0.1, alpha: 0.5 }] as const) {
        const grad = values(tf.grad((x: tf.Tensor) => tdpoLoss({ h: x as tf.Tensor1D, klChosen: tf.tensor1d(zeros), klRejected: tf.tensor1d(zeros) }, variant))(tf.tensor1d(h)));
        grad.forEach((g, i) => expect(g).toBeCloseTo(dpoGrad[i], 6));
      }
    }));

    test('the stop-gradient: δ₂ does not depend on the chosen KL; TDPO1 pushes it up', () => tidy(() => {
      // sg is the identity forwards, zero backwards
      expect(values(stopGradient(tf.tensor1d([1.5, -2])))).toEqual([1.5, -2]);
      expect(values(tf.grad((x: tf.Tensor) => stopGradient(x).mul(3).sum())(tf.tensor1d([1.5, -2])))).toEqual([0, 0]);
      // δ₂ = β D_l − sg(β D_w): d δ₂ / d D_w = 0, d δ₂ / d D_l = β
      const delta2 = (klChosen: tf.Tensor, klRejected: tf.Tensor) => klRejected.mul(0.1).sub(stopGradient(klChosen.mul(0.1))).sum() as tf.Scalar;
      const [dChosen, dRejected] = tf.grads(delta2)([tf.tensor1d([1]), tf.tensor1d([3])]);
      expect(values(dChosen)[0]).toBe(0);
      expect(values(dRejected)[0]).toBeCloseTo(0.1, 6);
      // the loss: h = 2, D_w = 1, D_l = 3, β = 0.1, two identical pairs (mean over pairs: each gets 1/2)
      const h = tf.tensor1d([2, 2]);
      const dLoss = (variant: Parameters<typeof tdpoLoss>[1]) =>
        tf.grads((w: tf.Tensor, l: tf.Tensor) => tdpoLoss({ h, klChosen: w as tf.Tensor1D, klRejected: l as tf.Tensor1D }, variant))([tf.tensor1d([1, 1]), tf.tensor1d([3, 3])]).map(values);
      // TDPO1: z = 0, d(−log σ(z))/dz = −σ(−z) = −1/2; dz/dD_w = β, dz/dD_l = −β
      const [w1, l1] = dLoss({ kind: 'tdpo1', beta: 0.1 });
      w1.forEach((g) => expect(g).toBeCloseTo((-0.5 * 0.1) / 2, 6)); // descent raises D_w
      l1.forEach((g) => expect(g).toBeCloseTo((0.5 * 0.1) / 2, 6)); // descent lowers D_l
      // TDPO2: z = 0.1; nothing flows to D_w, α β σ(−z) / 2 to D_l
      const [w2, l2] = dLoss({ kind: 'tdpo2', beta: 0.1, alpha: 0.5 });
      w2.forEach((g) => expect(g).toBe(0));
      l2.forEach((g) => expect(g).toBeCloseTo((0.5 * 0.1 * sigmoid(-0.1)) / 2, 6));
    }));

    test('the batch reduction: the mean over pairs of the per-pair losses', () => tidy(() => {
      const h = [2, -1, 4];
      const w = [1, 0.5, 2];
      const l = [3, 0, 1];
      const variant = { kind: 'tdpo2', beta: 0.1, alpha: 0.5 } as const;
      const perPair = h.map((_, i) => softplus(-(0.1 * h[i] - 0.5 * (0.1 * l[i] - 0.1 * w[i]))));
      const expected = perPair.reduce((a, b) => a + b, 0) / 3;
      expect(values(tdpoLoss(terms(h, w, l), variant))[0]).toBeCloseTo(expected, 6);
      // doubling the batch with the same pairs leaves the loss unchanged
      expect(values(tdpoLoss(terms([...h, ...h], [...w, ...w], [...l, ...l]), variant))[0]).toBeCloseTo(expected, 6);
    }));

    test('sequential KL by hand: KL(π_ref ‖ π_θ), summed over the counted positions only', () => tidy(() => {
      // one sequence, three positions, a vocabulary of two; the middle position is masked
      const ref = tf.tensor3d([[[0.5, 0.5], [0.9, 0.1], [0.2, 0.8]]]).log() as tf.Tensor3D;
      const policy = tf.tensor3d([[[0.25, 0.75], [0.01, 0.99], [0.2, 0.8]]]).log() as tf.Tensor3D;
      const kl = (p: number[], q: number[]) => p.reduce((s, pi, i) => s + pi * Math.log(pi / q[i]), 0);
      const mask = tf.tensor2d([[1, 0, 1]]);
      expect(values(sequentialKl(ref, policy, mask))[0]).toBeCloseTo(kl([0.5, 0.5], [0.25, 0.75]) + 0, 5);
      // the direction: the reference comes first, which is not the reverse KL
      expect(values(sequentialKl(ref, policy, mask))[0]).not.toBeCloseTo(kl([0.25, 0.75], [0.5, 0.5]), 3);
      expect(values(exactTokenKl(policy, ref).mul(mask).sum(-1))[0]).toBeCloseTo(kl([0.25, 0.75], [0.5, 0.5]), 5);
      // every position counted: the sum over tokens
      const all = tf.tensor2d([[1, 1, 1]]);
      expect(values(sequentialKl(ref, policy, all))[0]).toBeCloseTo(kl([0.5, 0.5], [0.25, 0.75]) + kl([0.9, 0.1], [0.01, 0.99]), 5);
    }));

    test('sequential KL on a padded pair batch: prompt and padding masked, each answer as alone', () => {
      // a uniform reference against a rigged policy: every counted position adds KL(uniform ‖ softmax([2, 0, …]))
      const policy = rigged(model);
      const reference = uniform(model);
      const z = Math.exp(2) + VOCAB_SIZE - 1;
      const q = [Math.exp(2) / z, ...Array.from({ length: VOCAB_SIZE - 1 }, () => 1 / z)];
      const perPosition = q.reduce((s, qv) => s + (1 / VOCAB_SIZE) * Math.log(1 / VOCAB_SIZE / qv), 0);
      const fixed = fixedBatch(reference, pairBatch(PAIRS)); // chosen 1134$, 0225$, rejected 13$, 022$
      const { seqKls, logProbs } = answerView(policy, fixed);
      [5, 5, 3, 4].forEach((count, i) => expect(seqKls[i]).toBeCloseTo(count * perPosition, 4));
      // and the log-probabilities alongside: '0' has probability e²/z under the rigged policy, every other token 1/z
      [[5, 0], [5, 1], [3, 0], [4, 1]].forEach(([count, zeros], i) => expect(logProbs[i]).toBeCloseTo(-count * Math.log(z) + 2 * zeros, 4));
      fixed.logpRef.dispose();
      // on the trained-from-scratch model too: the padded batch gives each answer its value alone
      const together = fixedBatch(model, pairBatch(PAIRS));
      const inBatch = answerView(policy, together).seqKls;
      together.logpRef.dispose();
      const answers = [...PAIRS.map((p) => p.chosen), ...PAIRS.map((p) => p.rejected)];
      answers.forEach((response, i) => {
        const alone = fixedBatch(model, exampleBatch([{ prompt: PAIRS[i % 2].prompt, response }]));
        expect(inBatch[i]).toBeCloseTo(answerView(policy, alone).seqKls[0], 4);
        alone.logpRef.dispose();
      });
      disposeGpt(policy);
      disposeGpt(reference);
    });

    test('the TDPO objective at π_θ = π_ref is DPO: loss ln 2, the same gradient', () => {
      const policy = cloneGpt(model);
      const batch = pairBatch(PAIRS);
      const indices = [0, 1];
      const vars = Object.values(policy.params);
      const dpo = dpoObjective(policy, referenceLogProbs(model, PAIRS), { loss: { kind: 'dpo', beta: 0.1 }, reduction: 'sum', epochs: 1, batchSize: 2, lr: 0, measureEvery: 1 });
      for (const loss of [{ kind: 'tdpo1', beta: 0.1 }, { kind: 'tdpo2', beta: 0.1, alpha: 0.5 }] as const) {
        const tdpo = tdpoObjective(policy, model, { loss, epochs: 1, batchSize: 2, lr: 0, measureEvery: 1 });
        tf.tidy(() => {
          const a = tf.variableGrads(() => tdpo(batch, indices), vars);
          const b = tf.variableGrads(() => dpo(batch, indices), vars);
          expect(a.value.dataSync()[0]).toBeCloseTo(Math.log(2), 5);
          expect(b.value.dataSync()[0]).toBeCloseTo(Math.log(2), 5);
          for (const name of Object.keys(b.grads)) {
            const diff = a.grads[name].sub(b.grads[name]).abs().max().dataSync()[0];
            const size = b.grads[name].abs().max().dataSync()[0];
            expect(diff).toBeLessThanOrEqual(1e-4 * Math.max(size, 1e-3));
          }
        });
      }
      disposeGpt(policy);
    });

    test('a few TDPO2 steps lower the loss, move the policy, keep the reference, and leak nothing', () => {
      const policy = cloneGpt(model);
      const frozen = cloneGpt(model);
      const before = tf.memory().numTensors;
      const losses = trainTdpo(policy, frozen, PAIRS, { loss: { kind: 'tdpo2', beta: 0.5, alpha: 0.5 }, epochs: 10, batchSize: 2, lr: 1e-2, measureEvery: 5 }, new Rng(1), silent);
      expect(tf.memory().numTensors).toBe(before);
      expect(losses.length).toBe(10);
      expect(losses[0]).toBeCloseTo(Math.log(2), 5);
      expect(losses[9]).toBeLessThan(losses[0]);
      const fixed = fixedBatch(frozen, pairBatch(PAIRS));
      expect(Math.min(...answerView(policy, fixed).seqKls)).toBeGreaterThan(0);
      expect(Math.max(...answerView(frozen, fixed).seqKls)).toBeCloseTo(0, 5);
      fixed.logpRef.dispose();
      expect(referenceLogProbs(frozen, PAIRS)).toEqual(referenceLogProbs(model, PAIRS));
      disposeGpt(policy);
      disposeGpt(frozen);
    });

    test('entropy per token, distinct answers, and token log-probs of responses', () => {
      const flat = uniform(model);
      const batch = exampleBatch([{ prompt: PAIRS[0].prompt, response: PAIRS[0].chosen }, { prompt: PAIRS[1].prompt, response: PAIRS[1].rejected }]);
      expect(tokenEntropy(flat, batch)).toBeCloseTo(Math.log(VOCAB_SIZE), 4);
      const rows = responseTokenLogProbs(flat, [PAIRS[0].prompt, PAIRS[1].prompt], [PAIRS[0].chosen, PAIRS[1].rejected]);
      expect(rows.map((r) => r.length)).toEqual([5, 4]);
      rows.flat().forEach((lp) => expect(lp).toBeCloseTo(-Math.log(VOCAB_SIZE), 4));
      // one sample per prompt is one distinct answer; eight uniform samples are mostly different, never more than eight
      const prompts = [PAIRS[0].prompt, PAIRS[1].prompt];
      expect(distinctAnswers(flat, prompts, 1, new Rng(3))).toBe(1);
      const distinct = distinctAnswers(flat, prompts, 8, new Rng(3));
      expect(distinct).toBeGreaterThan(5);
      expect(distinct).toBeLessThanOrEqual(8);
      disposeGpt(flat);
    });
  });
}

describe('slips', () => {
  test('each token of a response: before the first mistake, the mistake, after it', () => {
    const prompt = makePrompt([3, 1, 4, 1]); // ideal 1134$
    expect(slipParts(prompt, tokenize('1134$'))).toEqual(['before', 'before', 'before', 'before', 'before']);
    expect(slipParts(prompt, tokenize('1143$'))).toEqual(['before', 'before', 'slip', 'after', 'after']);
    expect(slipParts(prompt, tokenize('13$'))).toEqual(['before', 'slip', 'after']);
    expect(slipParts(prompt, tokenize('11344$'))).toEqual(['before', 'before', 'before', 'before', 'slip', 'after']);
  });
});
