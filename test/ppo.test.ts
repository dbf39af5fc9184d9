// Unit tests of chapter 04's PPO pieces on hand-computed values, on both backends.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { explainedVariance, gae, maskedWhiten } from '../src/ppo/gae.ts';
import { clippedSurrogate, clippedValueLoss, reduce } from '../src/ppo/losses.ts';
import { collectExperience, copyScalarModel, criticValues, policyOutputs, shapedRewards } from '../src/ppo/experience.ts';
import { gptShapes, llama7bShapes, loraParams, memoryBill } from '../src/ppo/memory.ts';
import { trainPpo } from '../src/ppo/trainer.ts';
import { tokenLogProbs } from '../src/runtime/logprob.ts';
import { cloneGpt, createGpt, disposeGpt } from '../src/runtime/model.ts';
import { Rng } from '../src/runtime/random.ts';
import { createScalarModel, disposeScalarModel, scalarOutputs } from '../src/runtime/scalar.ts';
import { GPT_CONFIG } from '../src/workbench/base.ts';
import { trainingPrompts } from '../src/workbench/rollout.ts';
import { BACKENDS_UNDER_TEST, onBackendWithoutLeaks } from './support/backends.ts';

const close = (xs: number[][], ys: number[][]) =>
  expect(xs).toEqual(ys.map((row) => row.map((y) => expect.closeTo(y, 6))));

describe('gae', () => {
  // One prompt position (t = 0), three response tokens (t = 1..3), one padding position (t = 4).
  // The 9s sit where the mask is 0: they must not leak into anything.
  const rewards = [[9, 0, 0, 1, 9]];
  const values = [[9, 0.5, 0.25, 0.5, 9]];
  const mask = [[0, 1, 1, 1, 0]];

  test('γ = 1, λ = ½: the hand-computed recursion, and 0 off the mask', () => {
    // δ3 = 1 + 0 − 0.5 = 0.5 (V after the end is 0); δ2 = 0 + 0.5 − 0.25 = 0.25; δ1 = 0 + 0.25 − 0.5 = −0.25
    // A3 = 0.5; A2 = 0.25 + ½·0.5 = 0.5; A1 = −0.25 + ½·0.5 = 0
    const { advantages, returns } = gae(rewards, values, mask, 1, 0.5);
    close(advantages, [[0, 0, 0.5, 0.5, 0]]);
    close(returns, [[0, 0.5, 0.75, 1, 0]]); // R = A + V
  });

  test('λ = 1 gives the Monte-Carlo advantage G − V; λ = 0 gives the one-step δ', () => {
    close(gae(rewards, values, mask, 1, 1).advantages, [[0, 0.5, 0.75, 0.5, 0]]); // G = 1 everywhere
    close(gae(rewards, values, mask, 1, 0).advantages, [[0, -0.25, 0.25, 0.5, 0]]);
  });

  test('γ < 1 discounts: γ = ½, λ = 1 gives G − V with G = 0.25, 0.5, 1', () => {
    close(gae(rewards, values, mask, 0.5, 1).advantages, [[0, -0.25, 0.25, 0.5, 0]]);
  });

  test('rows of different lengths: a one-token response bootstraps from V = 0, not from the padding', () => {
    const { advantages, returns } = gae([[0, 1, 0, 0], [2, 0, 0, 0]], [[0.5, 0.5, 7, 7], [0.5, 7, 7, 7]], [[1, 1, 0, 0], [1, 0, 0, 0]], 1, 0.95);
    // row 0: δ1 = 1 − 0.5 = 0.5; δ0 = 0 + 0.5 − 0.5 = 0; A0 = 0 + 0.95·0.5 = 0.475
    close(advantages, [[0.475, 0.5, 0, 0], [1.5, 0, 0, 0]]);
    close(returns, [[0.975, 1, 0, 0], [2, 0, 0, 0]]);
  });
});

describe('maskedWhiten', () => {
  test('mean and unbiased variance over counted entries only; the rest become 0', () => {
    // counted: 1, 2, 3 → mean 2, variance (1 + 0 + 1) / (3 − 1) = 1
    const w = maskedWhiten([[1, 2, 9], [3, 100, 100]], [[1, 1, 0], [1, 0, 0]]);
    close(w, [[-1, 0, 0], [1, 0, 0]]);
  });
});

describe('explainedVariance', () => {
  test('1 − Var(R − V) / Var(R) over counted entries', () => {
    const mask = [[1, 1, 0], [1, 1, 0]];
    expect(explainedVariance([[1, 2, 9], [3, 4, -9]], [[1, 2, 0], [3, 4, 0]], mask)).toBeCloseTo(1, 10);
    // V = the mean of R: nothing explained
    expect(explainedVariance([[2.5, 2.5, 0], [2.5, 2.5, 0]], [[1, 2, 0], [3, 4, 0]], mask)).toBeCloseTo(0, 10);
    expect(explainedVariance([[0, 0]], [[1, 1]], [[1, 1]])).toBeNaN();
  });
});

describe('shapedRewards', () => {
  test('−β (log π − log π_ref) on response tokens, plus the score on the last one', () => {
    const r = shapedRewards([[0, -1, -2, 0]], [[5, -1.5, -1, 7]], [3], [[0, 1, 1, 0]], 0.1);
    close(r, [[0, -0.05, 3.1, 0]]);
  });
});

describe('memory', () => {
  test('LoRA adapters: r (d_in + d_out) per matrix', () => {
    expect(loraParams({ total: 0, adapted: [[32, 96]] }, 8)).toBe(1024);
  });

  test('the bill of four models, full and with shared LoRA bases', () => {
    // N = 100, head 1, one 10×10 matrix adapted at rank 2: adapter 40
    const bill = memoryBill({ total: 100, adapted: [[10, 10]] }, 1, 2);
    expect(bill.full).toEqual({ weights: 402, total: 402 + 3 * 201 }); // 2N + 2(N + 1); actor and critic train
    expect(bill.lora).toEqual({ weights: 282, total: 282 + 3 * 81, adapter: 40 }); // N + (N + 1) + 2·40 + 1
  });

  test('the Llama 2 7B shape has its published parameter count', () => {
    expect(llama7bShapes().total).toBe(6738415616);
  });
});

for (const backend of BACKENDS_UNDER_TEST) {
  describe(`on ${backend}`, () => {
    onBackendWithoutLeaks(backend);



    test('reduce: the token mean weights long sequences more than the sequence mean', () => tf.tidy(() => {
      const x = tf.tensor2d([[1, 2, 3], [10, 99, 99]]);
      const mask = tf.tensor2d([[1, 1, 1], [1, 0, 0]]);
      expect(reduce(x, mask, 'token').dataSync()[0]).toBeCloseTo(4, 5); // (1 + 2 + 3 + 10) / 4
      expect(reduce(x, mask, 'sequence').dataSync()[0]).toBeCloseTo(6, 5); // (2 + 10) / 2
    }));

    // Five counted tokens: ratio ρ and advantage A; ε = 0.2.
    //   ρ 1.5, A +1: min(1.5, 1.2) = 1.2, clipped      ρ 1.5, A −1: min(−1.5, −1.2) = −1.5
    //   ρ 0.5, A +1: min(0.5, 0.8) = 0.5               ρ 0.5, A −1: min(−0.5, −0.8) = −0.8, clipped
    //   ρ 1.1, A +2: 2.2 (inside the band)             and one masked token with wild values.
    const ratios = [[1.5, 1.5, 0.5], [0.5, 1.1, 50]];
    const adv = [[1, -1, 1], [-1, 2, 100]];
    const surrogateMask = [[1, 1, 1], [1, 1, 0]];

    test('clipped surrogate: loss, clip fraction, both reductions', () => tf.tidy(() => {
      const logp = tf.tensor2d(ratios).log() as tf.Tensor2D;
      const old = tf.zeros([2, 3]) as tf.Tensor2D;
      const A = tf.tensor2d(adv);
      const mask = tf.tensor2d(surrogateMask);
      const token = clippedSurrogate(logp, old, A, mask, 0.2);
      expect(token.loss.dataSync()[0]).toBeCloseTo(-(1.2 - 1.5 + 0.5 - 0.8 + 2.2) / 5, 5);
      expect(token.clipFraction.dataSync()[0]).toBeCloseTo(2 / 5, 6);
      const sequence = clippedSurrogate(logp, old, A, mask, 0.2, 'sequence');
      expect(sequence.loss.dataSync()[0]).toBeCloseTo(-((1.2 - 1.5 + 0.5) / 3 + (-0.8 + 2.2) / 2) / 2, 5);
    }));

    test('clipped surrogate: clipped and masked tokens give no gradient', () => tf.tidy(() => {
      const old = tf.zeros([2, 3]) as tf.Tensor2D;
      const A = tf.tensor2d(adv);
      const mask = tf.tensor2d(surrogateMask);
      const grad = tf.grad((logp: tf.Tensor) => clippedSurrogate(logp as tf.Tensor2D, old, A, mask, 0.2).loss)(tf.tensor2d(ratios).log());
      // ∂(−ρA)/∂log π = −ρA on unclipped tokens, over 5 tokens
      close(grad.arraySync() as number[][], [[0, 1.5 / 5, -0.5 / 5], [0, -2.2 / 5, 0]]);
    }));

    test('clipped value loss: ½ max of the two squared errors, and its clip fraction', () => tf.tidy(() => {
      // (V, V_old, R), ε_v = 0.2:
      //   (1.0, 0.5, 1): clip(V) = 0.7 → max(0, 0.09) = 0.09, clipped
      //   (0.6, 0.5, 1): inside → 0.16
      //   (0.0, 0.5, 1): clip(V) = 0.3 → max(1, 0.49) = 1
      //   (2.0, 0.5, 0): clip(V) = 0.7 → max(4, 0.49) = 4       and one masked token
      const V = tf.tensor2d([[1, 0.6, 0], [2, 50, 0]]);
      const Vold = tf.tensor2d([[0.5, 0.5, 0.5], [0.5, 0, 0]]);
      const R = tf.tensor2d([[1, 1, 1], [0, -50, 0]]);
      const mask = tf.tensor2d([[1, 1, 1], [1, 0, 0]]);
      const { loss, clipFraction } = clippedValueLoss(V, Vold, R, mask, 0.2);
      expect(loss.dataSync()[0]).toBeCloseTo((0.5 * (0.09 + 0.16 + 1 + 4)) / 4, 5);
      expect(clipFraction.dataSync()[0]).toBeCloseTo(1 / 4, 6);
    }));

    test('policy outputs and critic values line up with the runtime', () => tf.tidy(() => {
      const rng = new Rng(3);
      const model = createGpt({ vocabSize: 5, contextLength: 6, dModel: 8, nHeads: 2, nLayers: 1 }, rng);
      const critic = createScalarModel(model);
      critic.head.w.assign(tf.ones([8, 1]));
      const tokens = tf.tensor2d([[0, 1, 2, 3], [4, 3, 2, 1]], undefined, 'int32');
      const { logProbs, entropy } = policyOutputs(model, tokens);
      expect(logProbs.arraySync()).toEqual(tokenLogProbs(model, tokens).arraySync());
      // a nearly untrained model is nearly uniform over 5 tokens: entropy close to ln 5
      for (const h of entropy.dataSync()) expect(h).toBeCloseTo(Math.log(5), 2);
      expect(criticValues(critic, tokens).arraySync()).toEqual(scalarOutputs(critic, tokens).slice([0, 0], [2, 3]).arraySync());
      disposeGpt(model);
      disposeScalarModel(critic);
    }));

    test('our GPT: eight adapted matrices, 8192 LoRA numbers at rank 8', () => {
      const model = createGpt(GPT_CONFIG, new Rng(1));
      expect(gptShapes(model).adapted.length).toBe(8);
      expect(loraParams(gptShapes(model), 8)).toBe(8192);
      disposeGpt(model);
    });

    test('copyScalarModel copies the head and trains independently', () => tf.tidy(() => {
      const gpt = createGpt({ vocabSize: 5, contextLength: 6, dModel: 8, nHeads: 2, nLayers: 1 }, new Rng(2));
      const model = createScalarModel(gpt);
      model.head.b.assign(tf.tensor1d([0.5]));
      const copy = copyScalarModel(model);
      const tokens = tf.tensor2d([[0, 1, 2]], undefined, 'int32');
      expect(scalarOutputs(copy, tokens).arraySync()).toEqual(scalarOutputs(model, tokens).arraySync());
      copy.head.b.assign(tf.tensor1d([-1]));
      expect(model.head.b.dataSync()[0]).toBe(0.5);
      disposeGpt(gpt);
      disposeScalarModel(model);
      disposeScalarModel(copy);
    }));

    test('an experience and a PPO iteration leak no tensors and give finite statistics', () => {
      const before = tf.memory().numTensors;
      const rng = new Rng(5);
      const actor = createGpt(GPT_CONFIG, rng);
      const models = { actor, reference: cloneGpt(actor), critic: createScalarModel(actor), rewardModel: createScalarModel(actor) };
      const config = { beta: 0.05, gamma: 1, lambda: 0.95 };
      const exp = collectExperience(models, trainingPrompts(rng, 8), rng, config);
      // the actor is its own reference: zero KL, and the rewards are the (zero) scores
      expect(exp.kl).toEqual(exp.kl.map(() => 0));
      expect(exp.rmScores).toEqual(exp.rmScores.map(() => 0));
      const [stats] = trainPpo(models, { ...config, iterations: 1, promptsPerIteration: 8, epochs: 2, minibatchSize: 4, lr: 1e-3, clipEps: 0.2, valueClipEps: 0.2, vfCoef: 0.1 }, rng, { tick() {}, done() {} });
      // zero returns do not vary, so the explained variance is undefined (NaN); the rest is finite
      const { explainedVariance: ev, ...rest } = stats;
      expect(ev).toBeNaN();
      for (const v of Object.values(rest)) expect(Number.isFinite(v)).toBe(true);
      disposeGpt(models.actor);
      disposeGpt(models.reference);
      disposeScalarModel(models.critic);
      disposeScalarModel(models.rewardModel);
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}
