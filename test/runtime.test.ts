// Unit tests of the runtime tangled from chapter 00, on hand-computed values, on every backend.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Adam } from '../src/runtime/adam.ts';
import { makeBatch, maskTensor, tokensTensor } from '../src/runtime/batch.ts';
import { linear } from '../src/runtime/linear.ts';
import { nllLoss, sequenceLogProb, tokenLogProbs } from '../src/runtime/logprob.ts';
import { cloneGpt, countParams, createGpt, disposeGpt, forward, restoreGpt, snapshotGpt, type Gpt } from '../src/runtime/model.ts';
import { createScalarModel, disposeScalarModel, scalarOutputs, scalarParams } from '../src/runtime/scalar.ts';
import { Rng } from '../src/runtime/random.ts';
import { formatTable } from '../src/runtime/table.ts';
import { generate } from '../src/runtime/sample.ts';
import { trainStep } from '../src/runtime/train.ts';
import { difference, mean, sampleStd, spread, standardError } from '../src/runtime/stats.ts';
import { BACKENDS_UNDER_TEST, onBackendWithoutLeaks } from './support/backends.ts';

/** Run a test body in a tf.tidy, so the tensors it makes along the way are freed. */
const tidy = (body: () => void) => tf.tidy(body);

describe('Rng', () => {
  test('a seed gives one stream; another seed another', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xs = Array.from({ length: 5 }, () => a.uniform());
    expect(Array.from({ length: 5 }, () => b.uniform())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.uniform())).not.toEqual(xs);
  });

  test('uniform, int, normal and categorical have the right moments', () => {
    const rng = new Rng(1);
    const n = 20000;
    const u = Array.from({ length: n }, () => rng.uniform());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(u.reduce((s, x) => s + x, 0) / n).toBeCloseTo(0.5, 2);
    const z = Array.from({ length: n }, () => rng.normal());
    const mean = z.reduce((s, x) => s + x, 0) / n;
    expect(mean).toBeCloseTo(0, 1);
    expect(z.reduce((s, x) => s + (x - mean) ** 2, 0) / n).toBeCloseTo(1, 1);
    const counts = [0, 0, 0];
    for (let i = 0; i < n; i++) counts[rng.categorical([0.2, 0.5, 0.3])] += 1;
    expect(counts.map((c) => c / n)).toEqual([expect.closeTo(0.2, 1), expect.closeTo(0.5, 1), expect.closeTo(0.3, 1)]);
    expect(new Set(Array.from({ length: 1000 }, () => rng.int(3)))).toEqual(new Set([0, 1, 2]));
  });

  test('shuffle permutes', () => {
    const items = [1, 2, 3, 4, 5, 6];
    expect([...new Rng(3).shuffle([...items])].sort()).toEqual(items);
  });
});

describe('makeBatch', () => {
  test('pads and masks the prompt and the padding', () => {
    // sequences: prompt [9, 8] + response [1, 2]; prompt [9] + response [3]
    const batch = makeBatch([[9, 8, 1, 2], [9, 3]], [2, 1], 0);
    expect(batch.tokens).toEqual([[9, 8, 1, 2], [9, 3, 0, 0]]);
    // target t predicts token t+1: row 0 counts tokens 1 and 2 (targets 1, 2); row 1 counts token 3 (target 0)
    expect(batch.mask).toEqual([[0, 1, 1], [1, 0, 0]]);
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

    test('a snapshot restores the same model', () => tidy(() => {
      const tokens = tf.tensor2d([[0, 1, 2, 3]], undefined, 'int32');
      const copy = restoreGpt(snapshotGpt(model));
      expect(forward(copy, tokens).arraySync()).toEqual(forward(model, tokens).arraySync());
      disposeGpt(copy);
    }));

    test('a scalar head starts at zero and learns', () => tidy(() => {
      const scalar = createScalarModel(model);
      const tokens = tf.tensor2d([[0, 1, 2, 3], [0, 2, 2, 1]], undefined, 'int32');
      expect(scalarOutputs(scalar, tokens).arraySync()).toEqual([[0, 0, 0, 0], [0, 0, 0, 0]]);
      const adam = new Adam(scalarParams(scalar), { lr: 0.05 });
      const target = tf.tensor2d([[1, 1, 1, 1], [-1, -1, -1, -1]]);
      for (let i = 0; i < 30; i++) trainStep(adam, () => scalarOutputs(scalar, tokens).sub(target).square().mean() as tf.Scalar);
      const out = scalarOutputs(scalar, tokens).arraySync();
      expect(out[0][3]).toBeGreaterThan(0.5);
      expect(out[1][3]).toBeLessThan(-0.5);
      adam.dispose();
      disposeScalarModel(scalar);
    }));

    test('linear: value and gradients by hand', () => tidy(() => {
      const x = tf.tensor2d([[1, 2]]);
      const w = tf.tensor2d([[1, 0, 2], [0, 1, 3]]);
      expect(linear(x, w).arraySync()).toEqual([[1, 2, 8]]);
      const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => linear(a as tf.Tensor2D, b as tf.Tensor2D).sum())([x, w]);
      expect(dx.arraySync()).toEqual([[3, 4]]); // row sums of w: 1 + 0 + 2, 0 + 1 + 3
      expect(dw.arraySync()).toEqual([[1, 1, 1], [2, 2, 2]]); // x transposed times ones
      tf.dispose([x, w, dx, dw]);
    }));

    test('parameter count of a 1-layer model', () => tidy(() => {
      // wte 5·8 + wpe 6·8 + block (2·8 + 8·24 + 8·8 + 2·8 + 8·32 + 32 + 32·8 + 8) + lnf 2·8 + head 8·5
      expect(countParams(model)).toBe(40 + 48 + (16 + 192 + 64 + 16 + 256 + 32 + 256 + 8) + 16 + 40);
    }));

    test('a model with a zero head predicts uniformly: log-probs are −ln V', () => tidy(() => {
      const flat = cloneGpt(model);
      flat.params.head.assign(tf.zerosLike(flat.params.head));
      const batch = makeBatch([[0, 1, 2, 3], [0, 4, 4]], [2, 1], 0);
      const tokens = tokensTensor(batch);
      const mask = maskTensor(batch);
      const perToken = tokenLogProbs(flat, tokens);
      expect(perToken.shape).toEqual([2, 3]);
      for (const v of perToken.dataSync()) expect(v).toBeCloseTo(-Math.log(5), 5);
      // row 0 counts 2 targets, row 1 counts 2 targets
      const seq = sequenceLogProb(flat, tokens, mask).arraySync();
      expect(seq[0]).toBeCloseTo(-2 * Math.log(5), 5);
      expect(seq[1]).toBeCloseTo(-2 * Math.log(5), 5);
      expect(nllLoss(flat, tokens, mask).dataSync()[0]).toBeCloseTo(Math.log(5), 5);
      tf.dispose([tokens, mask, perToken]);
      disposeGpt(flat);
    }));

    test('log-probs ignore what the mask excludes', () => tidy(() => {
      const a = makeBatch([[0, 1, 2, 3]], [2], 0);
      const b = makeBatch([[0, 4, 2, 3]], [2], 0); // differs only inside the prompt... which changes the context
      const c = makeBatch([[0, 1, 2, 3, 4]], [2], 0);
      c.mask[0][3] = 0; // exclude the last target
      const lp = (x: typeof a) => tf.tidy(() => sequenceLogProb(model, tokensTensor(x), maskTensor(x))).dataSync()[0];
      expect(lp(c)).toBeCloseTo(lp(a), 5); // a later, masked token changes nothing (causal model)
      expect(lp(b)).not.toBeCloseTo(lp(a), 5); // the prompt is context: it changes the response's probability
    }));

    test('Adam: the first steps by hand', () => tidy(() => {
      const p = tf.variable(tf.tensor1d([1, -1]));
      const adam = new Adam({ p }, { lr: 0.1 });
      // g = [0.5, 0.5]: m̂ = g, v̂ = g², the step is lr·g/|g| = 0.1 against the gradient's sign
      adam.apply({ [p.name]: tf.tensor1d([0.5, 0.5]) });
      expect(p.dataSync()[0]).toBeCloseTo(0.9, 6);
      expect(p.dataSync()[1]).toBeCloseTo(-1.1, 6);
      // a second, opposite gradient: m = 0.9·0.5·0.1... m̂ = (0.045 − 0.1)/0.19 = −0.2895; v̂ = 0.25 → step ≈ −0.0579
      adam.apply({ [p.name]: tf.tensor1d([-1, -1]) });
      const m = 0.9 * 0.05 + 0.1 * -1;
      const v = 0.999 * 0.00025 + 0.001 * 1;
      const step = (0.1 * (m / (1 - 0.81))) / (Math.sqrt(v / (1 - 0.998001)) + 1e-8);
      expect(p.dataSync()[0]).toBeCloseTo(0.9 - step, 6);
      adam.dispose();
      p.dispose();
    }));

    test('Adam: decoupled weight decay and gradient clipping', () => tidy(() => {
      const p = tf.variable(tf.tensor1d([2]));
      const adam = new Adam({ p }, { lr: 0.1, weightDecay: 0.5, clipNorm: 1 });
      adam.apply({ [p.name]: tf.tensor1d([10]) }); // clipped to 1; Adam's step is still lr; decay 2·(1 − 0.05)
      expect(p.dataSync()[0]).toBeCloseTo(2 * 0.95 - 0.1, 6);
      adam.dispose();
      p.dispose();
    }));

    test('a training step lowers the loss and leaks nothing', () => tidy(() => {
      const m = cloneGpt(model);
      const batch = makeBatch([[0, 1, 2, 3, 4, 1]], [1], 0);
      const adam = new Adam(m.params, { lr: 1e-2 });
      const before = tf.memory().numTensors;
      const loss = () => nllLoss(m, tokensTensor(batch), maskTensor(batch));
      const first = trainStep(adam, loss);
      for (let i = 0; i < 20; i++) trainStep(adam, loss);
      expect(trainStep(adam, loss)).toBeLessThan(first);
      expect(tf.memory().numTensors).toBe(before);
      adam.dispose();
      disposeGpt(m);
    }));

    test('sampling: reproducible, stops at the end token, greedy is the argmax', () => tidy(() => {
      const prompts = [[0, 1], [0, 2], [0, 3]];
      const a = generate(model, prompts, { maxNewTokens: 4, eos: 4, rng: new Rng(5) });
      const b = generate(model, prompts, { maxNewTokens: 4, eos: 4, rng: new Rng(5) });
      expect(a).toEqual(b);
      for (const y of a) {
        expect(y.length).toBeLessThanOrEqual(4);
        expect(y.indexOf(4) === -1 || y.indexOf(4) === y.length - 1).toBe(true);
      }
      // a rigged model: the final layer norm outputs the constant e₀, and the head maps e₀ to logits [0, 0, 0, 2, 0]
      const rigged = cloneGpt(model);
      rigged.params['lnf.g'].assign(tf.zeros([8]));
      rigged.params['lnf.b'].assign(tf.oneHot([0], 8).reshape([8]).toFloat());
      rigged.params.head.assign(tf.tensor2d([[0, 0, 0, 2, 0], ...Array.from({ length: 7 }, () => [0, 0, 0, 0, 0])]));
      expect(generate(rigged, prompts, { maxNewTokens: 3, eos: 4, rng: new Rng(5), temperature: 0 })).toEqual([
        [3, 3, 3],
        [3, 3, 3],
        [3, 3, 3],
      ]);
      // sampled: P(3) = e²/(e² + 4), P(eos) = 1/(e² + 4) at every step
      const many = generate(rigged, Array.from({ length: 2000 }, () => [0, 1]), { maxNewTokens: 1, eos: 4, rng: new Rng(6) });
      const share3 = many.filter((y) => y[0] === 3).length / many.length;
      expect(share3).toBeCloseTo(Math.exp(2) / (Math.exp(2) + 4), 1);
      disposeGpt(rigged);
    }));
  });
}

describe('stats', () => {
  test('mean, sample standard deviation and standard error, by hand', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(sampleStd([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(standardError([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3) / 2, 12);
    expect(spread([2, 4])).toEqual({ mean: 3, se: 1, values: [2, 4] });
  });
  test('a paired difference cancels what both sides share', () => {
    const shared = [10, 20, 30];
    const d = difference(shared.map((x) => x + 1.5), shared.map((x) => x + [0.5, 0.6, 0.4][shared.indexOf(x)]!));
    expect(d.mean).toBeCloseTo(1, 12);
    expect(d.se).toBeCloseTo(0.1 / Math.sqrt(3), 12);
  });
  test('refuses what has no spread', () => {
    expect(() => mean([])).toThrow('mean of no numbers');
    expect(() => sampleStd([1])).toThrow('two numbers or more');
    expect(() => difference([1, 2], [1])).toThrow('difference of 2 and 1 values');
  });
});

describe('formatTable', () => {
  test('prints rows as a Markdown table: the first column left, the others right', () => {
    const rows = [
      { name: 'SFT', score: 0.5, kl: 0 },
      { name: 'DPO', score: 0.875, kl: 1.25 },
    ];
    type Row = (typeof rows)[number];
    const columns = { model: (r: Row) => r.name, score: (r: Row) => r.score.toFixed(3), KL: (r: Row) => r.kl };
    expect(formatTable(columns, rows)).toEqual([
      '| model | score |   KL |',
      '| :---- | ----: | ---: |',
      '| SFT   | 0.500 |    0 |',
      '| DPO   | 0.875 | 1.25 |',
    ]);
  });
});
