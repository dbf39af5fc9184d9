// Unit tests of chapter 16's LoRA pieces (src/lora/) on hand-computed values, on both
// backends: the adapter's output, zero change at the start, merged equal to unmerged,
// unmerge back to the base, the counts, what trains, and what PPO's two bases hold.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import {
  adapterSize,
  adaptersOff,
  aName,
  bName,
  disposeAdapters,
  freeze,
  loraAdapt,
  withLora,
  type LoraGpt,
} from '../src/lora/adapter.ts';
import { mergeLora, unmergeLora } from '../src/lora/merge.ts';
import { answerNll, heldNumbers, maxAbsDifference } from '../src/lora/measure.ts';
import { gptShapes, loraParams } from '../src/ppo/memory.ts';
import { Adam } from '../src/runtime/adam.ts';
import { maskTensor, tokensTensor } from '../src/runtime/batch.ts';
import { nllLoss } from '../src/runtime/logprob.ts';
import { createGpt, disposeGpt, forward, toVariable } from '../src/runtime/model.ts';
import { Rng } from '../src/runtime/random.ts';
import { createScalarModel, disposeScalarModel } from '../src/runtime/scalar.ts';
import { trainStep } from '../src/runtime/train.ts';
import { GPT_CONFIG } from '../src/workbench/base.ts';
import { demonstration } from '../src/workbench/corpus.ts';
import { sideOf } from '../src/workbench/task.ts';
import { exampleBatch } from '../src/workbench/train.ts';
import { BACKENDS_UNDER_TEST, onBackendWithoutLeaks } from './support/backends.ts';

/** A tensor computed in a tidy, as numbers, and then freed. */
function numbers<T>(f: () => tf.Tensor): T {
  const t = tf.tidy(f);
  const values = t.arraySync() as T;
  t.dispose();
  return values;
}

/** Set every B of a LoRA model to small nonzero draws, so that the adapters do something. */
function randomiseB(model: LoraGpt, rng: Rng): void {
  for (const t of model.lora.targets) {
    const b = model.params[bName(t)];
    const values = new Float32Array(b.size).map(() => rng.normal() * 0.1);
    tf.tidy(() => b.assign(tf.tensor(values, b.shape)));
  }
}

/** A frozen GPT of the workbench's shape (the unfrozen original freed). */
function frozenGpt() {
  const model = createGpt(GPT_CONFIG, new Rng(1));
  const base = freeze(model);
  disposeGpt(model);
  return base;
}

const tokensOf = (n: number, rng: Rng) =>
  exampleBatch(Array.from({ length: n }, () => demonstration(rng, 0.3, 'held-out')));

for (const backend of BACKENDS_UNDER_TEST) {
  describe(`LoRA on ${backend}`, () => {
    onBackendWithoutLeaks(backend);

    test('the adapter adds s·(x A) B: x = [1, 2], W = I, A = [1; 1], B = [0.5, −1], s = 2', () => {
      // x W = [1, 2]; x A = 1 + 2 = 3; (x A) B = [1.5, −3]; times s = 2: [3, −6]; sum [4, −4]
      const params = {
        w: toVariable(tf.tensor2d([[1, 0], [0, 1]])),
        'w.lora0.a': toVariable(tf.tensor2d([[1], [1]])),
        'w.lora0.b': toVariable(tf.tensor2d([[0.5, -1]])),
      };
      const adapt = loraAdapt({ targets: [{ weight: 'w', offset: 0, width: 2 }], scale: 2 });
      const y = numbers<number[][]>(() => {
        const x = tf.tensor2d([[1, 2]]);
        return adapt(params, 'w', x, x.matMul(params.w) as tf.Tensor2D);
      });
      expect(y).toEqual([[4, -4]]);
      // another layer's name: its output passes unchanged
      expect(numbers<number[][]>(() => adapt(params, 'other', tf.zeros([1, 2]), tf.ones([1, 2])))).toEqual([[1, 1]]);
      tf.dispose(Object.values(params));
    });

    test('an adapter on some columns changes only those: width 1 at offset 1 of 3', () => {
      // W = 0 [2, 3]; x A = 3; (x A) B = 3 · 2 = 6, placed in column 1
      const params = {
        w: toVariable(tf.zeros([2, 3])),
        'w.lora1.a': toVariable(tf.tensor2d([[1], [1]])),
        'w.lora1.b': toVariable(tf.tensor2d([[2]])),
      };
      const adapt = loraAdapt({ targets: [{ weight: 'w', offset: 1, width: 1 }], scale: 1 });
      const y = numbers<number[][]>(() => {
        const x = tf.tensor2d([[1, 2]]);
        return adapt(params, 'w', x, x.matMul(params.w) as tf.Tensor2D);
      });
      expect(y).toEqual([[0, 6, 0]]);
      tf.dispose(Object.values(params));
    });

    test('at the start B = 0: the model with adapters computes exactly what its base does', () => {
      const base = frozenGpt();
      const lora = withLora(base, { rank: 4, alpha: 8, layers: 'all' }, new Rng(2));
      const tokens = tokensTensor(tokensOf(8, new Rng(3)));
      expect(tf.tidy(() => maxAbsDifference(forward(lora, tokens), forward(base, tokens)))).toBe(0);
      // A ~ U(−1/√in, 1/√in), B = 0
      for (const t of lora.lora.targets) {
        const a = lora.params[aName(t)];
        const bound = 1 / Math.sqrt(a.shape[0]);
        expect(Math.max(...Array.from(a.dataSync()).map(Math.abs))).toBeLessThanOrEqual(bound);
        expect(Array.from(lora.params[bName(t)].dataSync()).every((v) => v === 0)).toBe(true);
      }
      tokens.dispose();
      disposeAdapters(lora);
      disposeGpt(base);
    });

    test('merged, (W + s·A B) x equals the unmerged W x + s·B(A x); unmerge gives W back', () => {
      const base = frozenGpt();
      const tensors = tf.memory().numTensors;
      for (const layers of ['all', 'qv'] as const) {
        const lora = withLora(base, { rank: 3, alpha: 6, layers }, new Rng(2));
        randomiseB(lora, new Rng(4));
        const tokens = tokensTensor(tokensOf(8, new Rng(3)));
        const merged = mergeLora(lora);
        const back = unmergeLora(merged, lora);
        const change = tf.tidy(() => maxAbsDifference(forward(lora, tokens), forward(base, tokens)));
        expect(change).toBeGreaterThan(1e-3); // the adapters do change the logits
        const gap = tf.tidy(() => maxAbsDifference(forward(lora, tokens), forward(merged, tokens)));
        expect(gap).toBeLessThan(1e-5);
        for (const name of Object.keys(base.params)) {
          expect(maxAbsDifference(back.params[name], base.params[name])).toBeLessThan(1e-6);
        }
        expect(Object.keys(merged.params).sort()).toEqual(Object.keys(base.params).sort());
        tokens.dispose();
        disposeGpt(merged);
        disposeGpt(back);
        disposeAdapters(lora);
        expect(tf.memory().numTensors).toBe(tensors); // merging and unmerging leave nothing
      }
      disposeGpt(base);
    });

    test("counts: r (in + width) per adapter, chapter 04's count for every linear layer", () => {
      const model = createGpt(GPT_CONFIG, new Rng(1));
      const base = freeze(model);
      const all = withLora(base, { rank: 8, alpha: 16, layers: 'all' }, new Rng(2));
      // per block: wqkv 8·(32 + 96), wo 8·(32 + 32), w1 8·(32 + 128), w2 8·(128 + 32)
      expect(adapterSize(all)).toBe(2 * (1024 + 512 + 1280 + 1280));
      expect(adapterSize(all)).toBe(loraParams(gptShapes(model), 8));
      // q and v only: two adapters of 8·(32 + 32) per block
      const qv = withLora(base, { rank: 8, alpha: 16, layers: 'qv' }, new Rng(2));
      expect(adapterSize(qv)).toBe(2 * 2 * 512);
      expect(qv.lora.targets.map((t) => t.offset)).toEqual([0, 64, 0, 64]);
      disposeAdapters(all);
      disposeAdapters(qv);
      disposeGpt(base);
      disposeGpt(model);
    });

    test('bad input: an unfrozen base, a rank below 1', () => {
      const model = createGpt(GPT_CONFIG, new Rng(1));
      expect(() => withLora(model, { rank: 8, alpha: 16, layers: 'all' }, new Rng(2))).toThrow(
        'withLora: the base must be frozen (see freeze)',
      );
      const base = freeze(model);
      expect(() => withLora(base, { rank: 0, alpha: 1, layers: 'all' }, new Rng(2))).toThrow(
        'withLora: rank 0 is not ≥ 1',
      );
      disposeGpt(base);
      disposeGpt(model);
    });

    test('only the adapters train; switched off, the model is its base, shared not copied', () => {
      const base = frozenGpt();
      const lora = withLora(base, { rank: 2, alpha: 4, layers: 'all' }, new Rng(2));
      const before = Object.fromEntries(
        Object.entries(lora.params).map(([n, p]) => [n, Array.from(p.dataSync())]),
      );
      const optimizer = new Adam(lora.params, { lr: 1e-2 });
      expect(optimizer.variables.length).toBe(2 * lora.lora.targets.length);
      const batch = tokensOf(4, new Rng(3));
      trainStep(optimizer, () => nllLoss(lora, tokensTensor(batch), maskTensor(batch)));
      for (const [name, p] of Object.entries(lora.params)) {
        const moved = Array.from(p.dataSync()).some((v, i) => v !== before[name]![i]);
        // B moves (its gradient is not zero); A's gradient is s·x^T (dy B^T) = 0 while B = 0
        expect(moved, name).toBe(/\.lora\d+\.b$/.test(name));
      }
      const off = adaptersOff(lora);
      expect(off.adapt).toBeUndefined();
      expect(Object.keys(off.params).sort()).toEqual(Object.keys(base.params).sort());
      for (const [name, p] of Object.entries(off.params)) expect(p).toBe(base.params[name]);
      disposeAdapters(lora);
      disposeGpt(base);
    });

    test('held numbers count a shared variable once; answerNll sums each answer', () => {
      const model = createGpt(GPT_CONFIG, new Rng(1));
      const base = freeze(model);
      const lora = withLora(base, { rank: 2, alpha: 4, layers: 'all' }, new Rng(2));
      const body = createScalarModel(base); // a copy: N + its head of d + 1
      const N = Object.values(base.params).reduce((n, p) => n + p.size, 0);
      const held = heldNumbers({ actor: lora, reference: adaptersOff(lora), critic: body, rewardModel: body });
      expect(held).toBe(N + adapterSize(lora) + N + GPT_CONFIG.dModel + 1);
      // one example: −log π(y | x) = the mean loss times the answer's counted tokens
      const batch = tokensOf(1, new Rng(3));
      const counted = batch.mask[0]!.reduce((a, b) => a + b, 0);
      const loss = numbers<number>(() => nllLoss(base, tokensTensor(batch), maskTensor(batch)));
      const examples = [demonstration(new Rng(3), 0.3, 'held-out')];
      expect(answerNll(base, examples)[0]).toBeCloseTo(loss * counted, 4);
      expect(sideOf(examples[0]!.prompt)).toBe('held-out');
      disposeScalarModel(body);
      disposeAdapters(lora);
      disposeGpt(base);
      disposeGpt(model);
    });
  });
}
