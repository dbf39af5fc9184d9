// `pnpm bench [--backend wasm|cpu|node] [--repeats N]`: what the book's GPT costs on one
// backend — a training step (forward, backward, Adam), a forward pass, and sampling 512
// answers — in wall time, kernel calls and achieved arithmetic rate. A benchmark to read,
// not a test: the numbers depend on the machine. `python3 scripts/bench-torch.py` times
// the same model in PyTorch.
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { cpuKernels, useBackend } from '../src/runtime/backend.ts';
import { profileKernels, timePerCall } from '../src/engine/profile.ts';
import { Adam } from '../src/runtime/adam.ts';
import { maskTensor, tokensTensor } from '../src/runtime/batch.ts';
import { nllLoss } from '../src/runtime/logprob.ts';
import { countParams, createGpt, disposeGpt, forward } from '../src/runtime/model.ts';
import { Rng } from '../src/runtime/random.ts';
import { trainStep } from '../src/runtime/train.ts';
import { DEMO_SLIP, GPT_CONFIG } from '../src/workbench/base.ts';
import { demonstration } from '../src/workbench/corpus.ts';
import { evalPrompts, respond } from '../src/workbench/evaluate.ts';
import { exampleBatch } from '../src/workbench/train.ts';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', short: 'b' },
    repeats: { type: 'string', short: 'n', default: '20' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.error('usage: pnpm bench [--backend node|wasm|cpu] [--repeats N]');
  process.exit(0);
}
const repeats = Number(values.repeats);
if (!(repeats >= 1)) throw new Error(`--repeats ${values.repeats}: expected a positive number`);

const backend = await useBackend(values.backend);
const rng = new Rng(1);
const model = createGpt(GPT_CONFIG, rng);
const optimizer = new Adam(model.params, { lr: 3e-3, clipNorm: 1 });
const batch = exampleBatch(Array.from({ length: 32 }, () => demonstration(rng, DEMO_SLIP)));
const [tokens, mask] = [tokensTensor(batch), maskTensor(batch)];
const inputs = tokens.slice([0, 0], [32, tokens.shape[1] - 1]) as tf.Tensor2D;
const prompts = evalPrompts(512);

const work = {
  'training step': () => void trainStep(optimizer, () => nllLoss(model, tokens, mask)),
  forward: () => tf.tidy(() => void forward(model, inputs).dataSync()),
  'respond(512)': () => void respond(model, prompts, new Rng(11)),
};

const kernels = backend === 'cpu' ? ` (${cpuKernels() === 'book' ? "the book's" : "tfjs's"} kernels)` : '';
console.log(`backend ${backend}${kernels}; the book's GPT: ${countParams(model)} parameters, batch 32 × ${inputs.shape[1]} tokens`);
console.log(`${'what'.padEnd(14)} ${'ms'.padStart(9)} ${'kernels'.padStart(8)} ${'MFLOP'.padStart(8)} ${'GFLOP/s'.padStart(8)}`);
for (const [name, fn] of Object.entries(work)) {
  const profile = await profileKernels(fn);
  const seconds = timePerCall(fn, name === 'respond(512)' ? Math.max(1, Math.ceil(repeats / 10)) : repeats);
  const cells = [(seconds * 1000).toFixed(2).padStart(9), String(profile.calls).padStart(8), (profile.flops / 1e6).toFixed(1).padStart(8), (profile.flops / seconds / 1e9).toFixed(2).padStart(8)];
  console.log(`${name.padEnd(14)} ${cells.join(' ')}`);
}
tokens.dispose();
mask.dispose();
inputs.dispose();
disposeGpt(model);
