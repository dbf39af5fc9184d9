// Unit tests of chapter 08's ORPO loss, its terms and its measures, on hand-computed values, on every backend.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { answerLogProbs, pairBatch } from '../src/dpo/train.ts';
import { logOdds, oddsRatioLoss, orpoLoss, rejectedAllowed } from '../src/orpo/losses.ts';
import { oddsStats } from '../src/orpo/measure.ts';
import { chosenSftObjective, orpoObjective, orpoTerms, trainOrpo } from '../src/orpo/train.ts';
import { maskTensor, tokensTensor } from '../src/runtime/batch.ts';
import { nllLoss } from '../src/runtime/logprob.ts';
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
const values = (t: tf.Tensor) => Array.from(t.dataSync());
const scalar = (t: tf.Tensor) => t.dataSync()[0];

/** Two pairs whose answers have different lengths (5, 5, 3 and 4 tokens with the end token), so the batch needs padding; both prompts on the training side, since trainers refuse held-out ones. */
const PAIRS: PreferencePair[] = [
  { prompt: makePrompt([3, 1, 4, 1]), chosen: tokenize('1134$'), rejected: tokenize('13$') },
  { prompt: makePrompt([2, 0, 2, 6]), chosen: tokenize('0226$'), rejected: tokenize('022$') },
];

/** The two pairs with their answers swapped: a mix of lengths among the chosen answers too. */
const MIXED: PreferencePair[] = [PAIRS[0], { ...PAIRS[1], chosen: PAIRS[1].rejected, rejected: PAIRS[1].chosen }];

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

    test('log odds by hand: log P − log(1 − P)', () => tidy(() => {
      // P = 0.5: odds 1, log odds 0; P = 0.8: odds 4; P = 0.2: odds 1/4
      const lo = values(logOdds(tf.tensor1d([Math.log(0.5), Math.log(0.8), Math.log(0.2)])));
      expect(lo).toEqual([expect.closeTo(0, 5), expect.closeTo(Math.log(4), 5), expect.closeTo(-Math.log(4), 5)]);
      // very unlikely answers: log odds ≈ log P
      expect(scalar(logOdds(tf.tensor1d([-30])))).toBeCloseTo(-30, 4);
    }));

    test('log odds stay accurate as P → 1, where log1p(−exp(log P)) does not', () => tidy(() => {
      // log P = −1e-6: 1 − P = 1e-6 (to 6 digits), log odds = −1e-6 − ln(1e-6 · (1 − 5e-7)) ≈ 13.815510
      const exact = (lp: number) => lp - Math.log(-Math.expm1(lp));
      const lp = tf.tensor1d([-1e-6, -1e-8]);
      const ours = values(logOdds(lp));
      expect(ours[0]).toBeCloseTo(exact(-1e-6), 4);
      expect(ours[1]).toBeCloseTo(exact(-1e-8), 3);
      // the form used by TRL and the paper's code, in float32: off in the second decimal at −1e-6, infinite at −1e-8
      const naive = values(lp.sub(tf.log1p(tf.exp(lp).neg())));
      expect(Math.abs(naive[0] - exact(-1e-6))).toBeGreaterThan(0.005);
      expect(naive[1]).toBe(Infinity);
      // and the gradient d log odds / d log P = 1 / (1 − P) is finite and right
      const g = values(tf.grad((x: tf.Tensor) => logOdds(x as tf.Tensor1D).sum())(tf.tensor1d([-1e-6, Math.log(0.8)])));
      expect(g[0] / 1e6).toBeCloseTo(1, 3);
      expect(g[1]).toBeCloseTo(5, 3);
    }));

    test('odds-ratio loss by hand, ln 2 for equal answers, and the mean over pairs', () => tidy(() => {
      // pair 1: P_w = 0.8, P_l = 0.5 → z = ln 4; pair 2: the other way round → z = −ln 4
      const w = tf.tensor1d([Math.log(0.8), Math.log(0.5)]);
      const l = tf.tensor1d([Math.log(0.5), Math.log(0.8)]);
      const expected = (softplus(-Math.log(4)) + softplus(Math.log(4))) / 2; // (ln 1.25 + ln 5) / 2
      expect(scalar(oddsRatioLoss(w, l))).toBeCloseTo(expected, 5);
      expect(scalar(oddsRatioLoss(w, w))).toBeCloseTo(Math.log(2), 6);
      // the same pairs twice: the same mean
      expect(scalar(oddsRatioLoss(w.concat(w), l.concat(l)))).toBeCloseTo(expected, 5);
    }));

    test('the gradient of the odds-ratio loss: −δ/(1 − P_w) on log P_w, +δ/(1 − P_l) on log P_l, δ = σ(−z)', () => tidy(() => {
      const [pw, pl] = [0.6, 0.3];
      const z = Math.log(pw / (1 - pw)) - Math.log(pl / (1 - pl));
      const delta = sigmoid(-z);
      const [gw, gl] = tf.grads((a: tf.Tensor, b: tf.Tensor) => oddsRatioLoss(a as tf.Tensor1D, b as tf.Tensor1D))([
        tf.tensor1d([Math.log(pw)]),
        tf.tensor1d([Math.log(pl)]),
      ]);
      expect(scalar(gw)).toBeCloseTo(-delta / (1 - pw), 5);
      expect(scalar(gl)).toBeCloseTo(delta / (1 - pl), 5);
    }));

    test('ORPO loss: λ = 0 is the NLL alone; otherwise NLL + λ L_OR', () => tidy(() => {
      const nll = tf.scalar(0.7);
      const w = tf.tensor1d([Math.log(0.8)]);
      const l = tf.tensor1d([Math.log(0.5)]);
      expect(scalar(orpoLoss(nll, w, l, 0))).toBeCloseTo(0.7, 6);
      expect(scalar(orpoLoss(nll, w, l, 0.1))).toBeCloseTo(0.7 + 0.1 * softplus(-Math.log(4)), 6);
    }));

    test('ORPO terms of a uniform model: every token −ln 14, prompt and padding masked, lengths averaged out', () => tidy(() => {
      const flat = cloneGpt(model);
      flat.params.head.assign(tf.zerosLike(flat.params.head));
      const lnV = Math.log(VOCAB_SIZE);
      const terms = orpoTerms(flat, pairBatch(PAIRS));
      // the NLL counts the chosen answers' 5 + 5 response tokens, not the 6 prompt tokens nor the padding
      expect(scalar(terms.nll)).toBeCloseTo(lnV, 4);
      // log P is a per-token average: −ln 14 for the 5-token chosen and the 3- and 4-token rejected answers alike
      expect(values(terms.chosen)).toEqual([expect.closeTo(-lnV, 4), expect.closeTo(-lnV, 4)]);
      expect(values(terms.rejected)).toEqual([expect.closeTo(-lnV, 4), expect.closeTo(-lnV, 4)]);
      // so the odds-ratio loss is ln 2: a longer answer is not less likely per token (summed, it would be)
      expect(scalar(oddsRatioLoss(terms.chosen, terms.rejected))).toBeCloseTo(Math.log(2), 4);
      disposeGpt(flat);
    }));

    test('ORPO terms: log P of each answer is its summed log-prob over its own length, as when scored alone', () => tidy(() => {
      const terms = orpoTerms(model, pairBatch(MIXED));
      const answers = [...MIXED.map((p) => [p.prompt, p.chosen] as const), ...MIXED.map((p) => [p.prompt, p.rejected] as const)];
      const alone = answers.map(([prompt, response]) => scalar(answerLogProbs(model, exampleBatch([{ prompt, response }]), 'sum')));
      const lengths = answers.map(([, response]) => response.length); // 5, 3, 3, 5
      expect(values(terms.chosen)).toEqual([0, 1].map((i) => expect.closeTo(alone[i] / lengths[i], 4)));
      expect(values(terms.rejected)).toEqual([2, 3].map((i) => expect.closeTo(alone[i] / lengths[i], 4)));
      // the NLL averages over all chosen tokens of the batch (8 of them), not over the answers' averages
      const tokenMean = -(alone[0] + alone[1]) / (lengths[0] + lengths[1]);
      const answerMean = -(alone[0] / lengths[0] + alone[1] / lengths[1]) / 2;
      expect(Math.abs(tokenMean - answerMean)).toBeGreaterThan(1e-3);
      expect(scalar(terms.nll)).toBeCloseTo(tokenMean, 4);
    }));

    test('the ORPO objective with λ = 0 is SFT on the chosen answers: chapter 00\'s NLL on them alone', () => tidy(() => {
      const batch = pairBatch(MIXED);
      const chosenOnly = exampleBatch(MIXED.map((p) => ({ prompt: p.prompt, response: p.chosen })));
      const sft = scalar(nllLoss(model, tokensTensor(chosenOnly), maskTensor(chosenOnly)));
      expect(scalar(orpoObjective(model, 0)(batch, [0, 1]))).toBeCloseTo(sft, 4);
      expect(scalar(chosenSftObjective(model)(batch, [0, 1]))).toBeCloseTo(sft, 4);
      // with λ > 0 it adds λ L_OR
      const terms = orpoTerms(model, batch);
      const orl = scalar(oddsRatioLoss(terms.chosen, terms.rejected));
      expect(scalar(orpoObjective(model, 0.1)(batch, [0, 1]))).toBeCloseTo(sft + 0.1 * orl, 4);
      // the batch doubled with the same pairs: the same loss (means, not sums)
      expect(scalar(orpoObjective(model, 0.1)(pairBatch([...MIXED, ...MIXED]), [0, 1, 0, 1]))).toBeCloseTo(sft + 0.1 * orl, 4);
    }));

    test('odds stats by hand: a uniform model ranks nothing; the gradient weights are σ(0)/(1 − 1/14)', () => {
      const flat = cloneGpt(model);
      tidy(() => flat.params.head.assign(tf.zerosLike(flat.params.head)));
      const stats = oddsStats(flat, pairBatch(PAIRS));
      expect(stats.accuracy).toBe(0); // z = 0 is not a win
      expect(stats.logOddsRatio).toBeCloseTo(0, 4);
      expect(stats.chosenLogProb).toBeCloseTo(-Math.log(VOCAB_SIZE), 4);
      expect(stats.chosenWeight).toBeCloseTo(0.5 / (13 / 14), 4);
      expect(stats.rejectedWeight).toBeCloseTo(0.5 / (13 / 14), 4);
      disposeGpt(flat);
    });

    test('probability ratio vs odds ratio: how likely the rejected answer may stay', () => {
      // margin ln 9, P_w = 0.9: the probability ratio needs P_l = 0.1; the odds ratio odds_l = 9/9 = 1, P_l = 0.5
      expect(rejectedAllowed(0.9, Math.log(9), 'probability')).toBeCloseTo(0.1, 10);
      expect(rejectedAllowed(0.9, Math.log(9), 'odds')).toBeCloseTo(0.5, 10);
      // P_w = 0.99: odds 99 → 11 → P_l = 11/12
      expect(rejectedAllowed(0.99, Math.log(9), 'odds')).toBeCloseTo(11 / 12, 10);
    });

    test('a few ORPO steps lower the loss, separate the pair, and leak nothing', () => {
      const policy = cloneGpt(model);
      const before = tf.memory().numTensors;
      const start = oddsStats(policy, pairBatch(PAIRS));
      const measured: number[] = [];
      const losses = trainOrpo(policy, PAIRS, 1, { epochs: 10, batchSize: 2, lr: 1e-2, measureEvery: 5 }, new Rng(1), silent, (step) => measured.push(step));
      expect(tf.memory().numTensors).toBe(before);
      expect(losses.length).toBe(10);
      expect(measured).toEqual([0, 5, 10]);
      expect(losses[9]).toBeLessThan(losses[0]);
      const end = oddsStats(policy, pairBatch(PAIRS));
      expect(end.chosenLogProb).toBeGreaterThan(start.chosenLogProb);
      expect(end.logOddsRatio).toBeGreaterThan(start.logOddsRatio);
      disposeGpt(policy);
    });
  });
}
