// The book's cpu kernels (src/engine/cpu/, chapter 90) against tfjs's own: the same
// output, bit for bit, on shapes chosen to reach every branch and on every call a few
// training steps and a round of sampling of the book's GPT make.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BOOK_KERNELS, bookKernelsInUse, stockKernel, useBookKernels } from '../src/engine/cpu/install.ts';
import type { BookKernel, KernelArgs } from '../src/engine/cpu/kernel.ts';
import { trainingStep } from '../src/engine/step.ts';
import { criticValues } from '../src/ppo/experience.ts';
import { tokensTensor } from '../src/runtime/batch.ts';
import { createScalarModel, disposeScalarModel, scalarParams } from '../src/runtime/scalar.ts';
import { Rng } from '../src/runtime/random.ts';
import { evalPrompts, respond } from '../src/workbench/evaluate.ts';
import { onBackendWithoutLeaks } from './support/backends.ts';

const kernel = (name: string): BookKernel => BOOK_KERNELS.find((k) => k.name === name)!;

/** Values with the awkward cases mixed in: NaN, ±∞, ±0, tiny and huge numbers, and ordinary ones. */
function values(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const special = [Number.NaN, Infinity, -Infinity, 0, -0, 1e-40, -3e38, 1];
  return Float32Array.from({ length: n }, (_, i) => (i % 11 === 5 ? special[rng.int(special.length)] : rng.normal() * 3));
}

function tensor(shape: number[], seed: number, dtype: 'float32' | 'int32' = 'float32'): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  if (dtype === 'int32') return tf.tensor(Int32Array.from({ length: n }, (_, i) => (i * 7919 + seed) % 23), shape, 'int32');
  return tf.tensor(values(n, seed), shape);
}

/** The bytes, shape and dtype of a kernel's output, for an exact comparison. */
function read(info: tf.TensorInfo): { shape: number[]; dtype: string; bytes: Uint8Array } {
  const v = (tf.backend() as unknown as KernelArgs['backend']).data.get(info.dataId).values as tf.TypedArray;
  return { shape: [...info.shape], dtype: info.dtype, bytes: new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice() };
}

/** A kernel's outputs as a list (most kernels have one; SplitV has several). */
const outputs = (out: tf.TensorInfo | tf.TensorInfo[]): tf.TensorInfo[] => (Array.isArray(out) ? out : [out]);

const dispose = (info: tf.TensorInfo) => (tf.backend() as unknown as { disposeIntermediateTensorInfo(t: tf.TensorInfo): void }).disposeIntermediateTensorInfo(info);

/** Run ours and tfjs's on the same inputs; expect the same bits (or ours to decline, when `declines`). */
function same(name: string, inputs: Record<string, tf.Tensor>, attrs: tf.NamedAttrMap = {}, declines = false): void {
  const args = { inputs, backend: tf.backend(), attrs } as unknown as KernelArgs;
  const ours = kernel(name).run(args);
  if (declines) {
    expect(ours, `${name} should leave these inputs to tfjs`).toBeUndefined();
    return;
  }
  expect(ours, `${name} declined inputs it should handle`).toBeDefined();
  const theirs = stockKernel(name)(args as unknown as Parameters<tf.KernelFunc>[0]);
  expect(outputs(ours!).map(read)).toEqual(outputs(theirs).map(read));
  outputs(ours!).forEach(dispose);
  outputs(theirs).forEach(dispose);
}

describe('the book\'s cpu kernels give tfjs\'s bits', () => {
  onBackendWithoutLeaks('cpu');
  const scope: tf.Tensor[] = [];
  const t = (shape: number[], seed: number, dtype: 'float32' | 'int32' = 'float32') => {
    const x = tensor(shape, seed, dtype);
    scope.push(x);
    return x;
  };
  afterAll(() => scope.forEach((x) => x.dispose()));

  const pairs: [number[], number[]][] = [
    [[320, 32], [320, 1]], // layer norm: x − mean
    [[320, 32], [32]], // a bias
    [[32, 4, 10, 10], [10, 10]], // the causal mask
    [[32, 4, 10, 1], [32, 4, 10, 10]],
    [[3, 1, 5], [1, 4, 1]], // both sides broadcast
    [[2, 3, 4, 5, 6], [2, 1, 4, 1, 6]],
    [[], [7]],
    [[7], []],
    [[1], [5]],
    [[5], [5]],
    [[0, 3], [3]],
  ];
  for (const name of ['Add', 'Sub', 'Multiply', 'RealDiv']) {
    test(`${name}, with broadcasting of every kind`, () => {
      pairs.forEach(([a, b], i) => same(name, { a: t(a, i), b: t(b, 100 + i) }));
    });
    test(`${name} leaves integers to tfjs`, () => {
      same(name, { a: t([3, 4], 1, 'int32'), b: t([4], 2, 'int32') }, {}, true);
    });
  }

  test('Transpose, float32 and int32', () => {
    const cases: [number[], number[]][] = [
      [[320, 32], [1, 0]],
      [[32, 10, 4, 8], [0, 2, 1, 3]],
      [[3, 320, 32], [1, 0, 2]],
      [[2, 3, 4, 5], [3, 1, 0, 2]],
      [[5], [0]],
      [[0, 4], [1, 0]],
    ];
    cases.forEach(([shape, perm], i) => same('Transpose', { x: t(shape, i) }, { perm }));
    same('Transpose', { x: t([3, 4, 5], 9, 'int32') }, { perm: [2, 0, 1] });
  });

  test('PadV2, with zero and other constants', () => {
    same('PadV2', { x: t([1, 320, 32], 1) }, { paddings: [[2, 0], [0, 0], [0, 0]], constantValue: 0 });
    same('PadV2', { x: t([3, 4], 2) }, { paddings: [[1, 2], [0, 3]], constantValue: 1.5 });
    same('PadV2', { x: t([2, 3, 4], 3, 'int32') }, { paddings: [[0, 1], [2, 0], [1, 1]], constantValue: -1 });
  });

  test('Slice: strided blocks copied, contiguous ones left to tfjs (its view)', () => {
    same('Slice', { x: t([4, 5, 6], 1) }, { begin: [1, 0, 2], size: [2, -1, 3] });
    same('Slice', { x: t([32, 11, 14], 2) }, { begin: [0, 10, 0], size: [32, 1, 14] });
    same('Slice', { x: t([3, 320, 32], 3) }, { begin: [1, 0, 0], size: [1, 320, 32] }, true);
  });

  test('SplitV: the pieces along any axis, equal or of given sizes, every dtype', () => {
    same('SplitV', { x: t([32, 12, 10, 8], 4) }, { numOrSizeSplits: 3, axis: 1 });
    same('SplitV', { x: t([5, 7], 5) }, { numOrSizeSplits: [2, 0, 5], axis: -1 });
    same('SplitV', { x: t([6, 2, 3], 6, 'int32') }, { numOrSizeSplits: [1, -1], axis: 0 });
    same('SplitV', { x: t([0, 4], 7) }, { numOrSizeSplits: 2, axis: 1 });
  });

  test('BatchMatMul: plain, flagged, batched and broadcast, K across block boundaries', () => {
    const cases: [number[], number[], boolean, boolean][] = [
      [[320, 128], [128, 32], false, false],
      [[320, 32], [32, 96], false, false],
      [[7, 100], [100, 9], false, false], // K = 100: blocks of 48, 48 and 4
      [[100, 7], [100, 9], true, false],
      [[7, 100], [9, 100], false, true],
      [[100, 7], [9, 100], true, true],
      [[128, 10, 10], [128, 10, 8], false, false],
      [[1, 3, 4], [6, 4, 5], false, false],
      [[2, 3, 5, 4], [2, 3, 4, 3], false, false],
    ];
    cases.forEach(([a, b, transposeA, transposeB], i) => same('BatchMatMul', { a: t(a, i), b: t(b, 50 + i) }, { transposeA, transposeB }));
  });

  test('Sum and Mean over inner, outer, several and no axes', () => {
    const cases: [number[], number | number[], boolean][] = [
      [[320, 32], 0, false],
      [[320, 32], 1, true],
      [[320, 32], -1, false],
      [[2, 3, 4, 5], [1, 3], false],
      [[2, 3, 4, 5], [3, 1], true], // the order of the axes is the order of the terms
      [[2, 3, 4, 5], [0, 1, 2, 3], false],
      [[5, 6], [], false],
      [[0, 3], 0, false],
    ];
    for (const name of ['Sum', 'Mean']) cases.forEach(([shape, axis, keepDims], i) => same(name, { x: t(shape, i) }, { axis, keepDims }));
    same('Sum', { x: t([3, 4], 1, 'int32') }, { axis: 0, keepDims: false }, true);
  });

  test('Softmax over the last axis, NaN and infinities included', () => {
    same('Softmax', { logits: t([32, 4, 10, 10], 1) }, { dim: -1 });
    same('Softmax', { logits: t([512, 14], 2) }, { dim: 1 });
    same('Softmax', { logits: t([7], 3) }, { dim: 0 });
  });

  test('Relu and Step', () => {
    same('Relu', { x: t([320, 128], 1) });
    same('Step', { x: t([320, 128], 2) }, { alpha: 0 });
    same('Step', { x: t([5, 7], 3) }, { alpha: 0.25 });
    same('Relu', { x: t([4], 4, 'int32') }, {}, true);
  });
});

describe('the book\'s cpu kernels on the book\'s GPT', () => {
  onBackendWithoutLeaks('cpu');
  const mismatches: string[] = [];
  const calls = new Map<string, number>();

  beforeAll(() => {
    // Wrap each of our kernels: compute with tfjs's too, and note any difference.
    for (const k of BOOK_KERNELS) {
      const ours = tf.getKernel(k.name, 'cpu').kernelFunc;
      tf.unregisterKernel(k.name, 'cpu');
      tf.registerKernel({
        kernelName: k.name,
        backendName: 'cpu',
        kernelFunc: (args) => {
          const out = ours(args);
          const stock = stockKernel(k.name)(args);
          const [a, b] = [outputs(out).map(read), outputs(stock).map(read)];
          const differ = a.length !== b.length || a.some((x, i) =>
            JSON.stringify(x.shape) !== JSON.stringify(b[i].shape) || Buffer.compare(x.bytes, b[i].bytes) !== 0);
          if (differ) mismatches.push(`${k.name} on ${Object.values(args.inputs).map((x) => `[${x!.shape}]`).join(' ')}`);
          calls.set(k.name, (calls.get(k.name) ?? 0) + 1);
          outputs(stock).forEach(dispose);
          return out;
        },
      });
    }
  });

  afterAll(() => {
    useBookKernels(false);
    useBookKernels(true); // the plain book kernels again
  });

  test('three training steps, 64 sampled answers and a critic\'s gradient: every kernel call identical', () => {
    expect(bookKernelsInUse()).toBe(true);
    const { model, batch, step, dispose } = trainingStep(1);
    for (let i = 0; i < 3; i++) step();
    respond(model, evalPrompts(64), new Rng(3));
    // A critic's values at the target positions, as PPO trains them (chapter 04): a slice's gradient.
    const critic = createScalarModel(model);
    tf.tidy(() => {
      const tokens = tokensTensor(batch);
      const loss = () => criticValues(critic, tokens).square().mean() as tf.Scalar;
      tf.variableGrads(loss, Object.values(scalarParams(critic)));
    });
    disposeScalarModel(critic);
    dispose();
    expect(mismatches).toEqual([]);
    expect(BOOK_KERNELS.filter((k) => !calls.has(k.name)).map((k) => k.name), 'kernels the model never called').toEqual([]);
  });
});

describe('useBookKernels', () => {
  onBackendWithoutLeaks('cpu');
  test('puts tfjs\'s kernels back, and ours again', () => {
    useBookKernels(false);
    expect(bookKernelsInUse()).toBe(false);
    const stock = tf.getKernel('Add', 'cpu').kernelFunc;
    useBookKernels(true);
    expect(bookKernelsInUse()).toBe(true);
    expect(tf.getKernel('Add', 'cpu').kernelFunc).not.toBe(stock);
    expect(stockKernel('Add')).toBe(stock);
  });
});
