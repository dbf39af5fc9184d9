// The operations whose gradients the book writes by hand (chapter 90) against tfjs's
// automatic differentiation of the plain formulas, and sampling with a key/value cache
// (chapter 00) against reading the whole sequence again.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import {
  affine,
  affineRelu,
  causalAttention,
  embed,
  layerNorm,
  targetLogProbs,
} from '../src/runtime/fused.ts';
import { createGpt, disposeCache, disposeGpt, forward, forwardCached, type KvCache } from '../src/runtime/model.ts';
import { Rng } from '../src/runtime/random.ts';
import { generate } from '../src/runtime/sample.ts';
import * as plain from '../src/engine/plain.ts';
import { GPT_CONFIG } from '../src/workbench/base.ts';
import { EOS } from '../src/workbench/vocab.ts';
import { BACKENDS_UNDER_TEST, onBackendWithoutLeaks } from './support/backends.ts';

/** A [rows, cols] tensor of N(0, 1) draws from our generator. */
function normal(rng: Rng, shape: number[]): tf.Tensor {
  const values = new Float32Array(shape.reduce((n, d) => n * d, 1));
  for (let i = 0; i < values.length; i++) values[i] = rng.normal();
  return tf.tensor(values, shape);
}

/** The largest absolute difference between two tensors' values. */
function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => a.sub(b).abs().max().dataSync()[0]);
}

/**
 * f and its reference g on the same inputs, weighted by a random cotangent so that every
 * output element matters: the values and the gradients with respect to every input agree.
 */
function agree(
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  g: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: tf.Tensor[],
  tolerance: number,
): void {
  tf.tidy(() => {
    const weights = normal(new Rng(99), f(...inputs).shape);
    const loss = (h: typeof f) => (...xs: tf.Tensor[]) => h(...xs).mul(weights).sum() as tf.Scalar;
    const [ours, theirs] = [f(...inputs), g(...inputs)];
    expect(ours.shape).toEqual(theirs.shape);
    expect(maxDiff(ours, theirs)).toBeLessThan(tolerance);
    const [dOurs, dTheirs] = [tf.grads(loss(f))(inputs), tf.grads(loss(g))(inputs)];
    dOurs.forEach((d, i) => {
      expect(d.shape, `gradient ${i}`).toEqual(dTheirs[i].shape);
      expect(maxDiff(d, dTheirs[i]), `gradient ${i}`).toBeLessThan(tolerance);
    });
  });
}

for (const backend of BACKENDS_UNDER_TEST) {
  describe(`gradients written by hand, on ${backend}`, () => {
    onBackendWithoutLeaks(backend);
    const rng = new Rng(7);

    test('layer norm: value and the gradients of x, g and b', () => {
      const inputs = [tf.tidy(() => normal(rng, [20, 8]).mul(3).add(1)), normal(rng, [8]), normal(rng, [8])];
      agree((x, g, b) => layerNorm(x as tf.Tensor2D, g, b), plain.layerNorm, inputs, 2e-5);
      tf.dispose(inputs);
    });

    test('affine layers, with and without the rectifier', () => {
      const inputs = [normal(rng, [12, 5]), normal(rng, [5, 7]), normal(rng, [7])];
      const reference = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D).add(b);
      agree((x, w, b) => affine(x as tf.Tensor2D, w as tf.Tensor2D, b), reference, inputs, 1e-5);
      agree((x, w, b) => affineRelu(x as tf.Tensor2D, w as tf.Tensor2D, b), plain.affineRelu, inputs, 1e-5);
      tf.dispose(inputs);
    });

    test('causal multi-head attention: value and the gradient of qkv', () => {
      const [B, T, H, dh] = [3, 5, 2, 4];
      const qkv = normal(rng, [B * T, 3 * H * dh]);
      agree(
        (x) => causalAttention(x as tf.Tensor2D, B, T, H),
        (x) => plain.attention(x, B, T, H),
        [qkv],
        1e-5,
      );
      qkv.dispose();
    });

    test('embedding by one-hot products, at an offset position', () => {
      const tokens = tf.tensor2d([[1, 4, 0], [3, 3, 2]], undefined, 'int32');
      const inputs = [normal(rng, [5, 6]), normal(rng, [7, 6])];
      const reference = (te: tf.Tensor, pe: tf.Tensor) => plain.embed(tokens, 2, te, pe);
      agree((te, pe) => embed(tokens, 2, te as tf.Tensor2D, pe as tf.Tensor2D), reference, inputs, 1e-6);
      tf.dispose([tokens, ...inputs]);
    });

    test('the log-probability of each target', () => {
      const targets = tf.tensor1d([0, 3, 2, 2], 'int32');
      const logits = tf.tidy(() => normal(rng, [4, 5]).mul(4));
      const reference = (z: tf.Tensor) => plain.targetLogProbs(z, targets);
      agree((z) => targetLogProbs(z as tf.Tensor2D, targets), reference, [logits], 1e-5);
      tf.dispose([targets, logits]);
    });
  });

  describe(`sampling with a key/value cache, on ${backend}`, () => {
    onBackendWithoutLeaks(backend);

    test('token by token from the cache, the logits of reading the whole sequence', () => {
      const model = createGpt(GPT_CONFIG, new Rng(5));
      const sequences = Array.from({ length: 4 }, (_, i) =>
        Array.from({ length: GPT_CONFIG.contextLength }, (_, t) => (3 * i + 5 * t) % GPT_CONFIG.vocabSize),
      );
      const tokens = tf.tensor2d(sequences, undefined, 'int32');
      const full = tf.tidy(() => forward(model, tokens)); // [B, T, V]
      /** forwardCached, keeping only its results. */
      const read = (from: number, n: number, cache?: KvCache) => {
        const r = tf.tidy(() => {
          const { logits, cache: c } = forwardCached(model, tokens.slice([0, from], [4, n]) as tf.Tensor2D, cache);
          return { logits, keys: c.keys, values: c.values };
        });
        return { logits: r.logits, cache: { length: from + n, keys: r.keys, values: r.values } };
      };
      let last = read(0, 4);
      for (let t = 4; ; t++) {
        const expected = tf.tidy(() => full.slice([0, t - 1, 0], [4, 1, -1]).reshape([4, -1]));
        expect(maxDiff(last.logits, expected), `position ${t - 1}`).toBeLessThan(1e-5);
        tf.dispose([expected, last.logits]);
        if (t === GPT_CONFIG.contextLength) break;
        const next = read(t, 1, last.cache);
        disposeCache(last.cache);
        last = next;
      }
      expect(last.cache.length).toBe(GPT_CONFIG.contextLength);
      expect(last.cache.keys[0].shape).toEqual([4, GPT_CONFIG.nHeads, GPT_CONFIG.contextLength, 8]);
      disposeCache(last.cache);
      tf.dispose([tokens, full]);
      disposeGpt(model);
    });

    test('generate reads from the cache and leaves no tensor behind', () => {
      const model = createGpt(GPT_CONFIG, new Rng(6));
      const before = tf.memory().numTensors;
      const prompts = Array.from({ length: 8 }, (_, i) => [10, i, (i * 3) % 10, 7, 1, 11]);
      const responses = generate(model, prompts, { maxNewTokens: 6, eos: EOS, rng: new Rng(1) });
      expect(tf.memory().numTensors).toBe(before);
      expect(responses).toHaveLength(8);
      for (const r of responses) {
        expect(r.length).toBeGreaterThan(0);
        expect(r.length).toBeLessThanOrEqual(6);
        expect(r.slice(0, -1)).not.toContain(EOS);
      }
      disposeGpt(model);
    });
  });
}
