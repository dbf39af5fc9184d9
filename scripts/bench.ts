// `pnpm bench [--backend wasm|cpu|node] [--repeats N]`: what the book's GPT costs on one
// backend — a training step (forward, backward, Adam), a forward pass, and sampling 512
// answers — in wall time, kernel calls and achieved arithmetic rate. A benchmark to read,
// not a test: the numbers depend on the machine. `python3 scripts/bench-torch.py` times
// the same model in PyTorch.
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { cpuKernels, useBackend } from '../src/runtime/backend.ts';
import { profileKernels, timePerCall } from '../src/engine/profile.ts';
import { trainingStep } from '../src/engine/step.ts';
import { tokensTensor } from '../src/runtime/batch.ts';
import { countParams, forward } from '../src/runtime/model.ts';
import { Rng } from '../src/runtime/random.ts';
import { evalPrompts, respond } from '../src/workbench/evaluate.ts';

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
const { model, batch, step, dispose } = trainingStep(1);
const tokens = tokensTensor(batch);
const inputs = tokens.slice([0, 0], [32, tokens.shape[1] - 1]) as tf.Tensor2D;
const prompts = evalPrompts(512);

const work = {
  'training step': () => void step(),
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
inputs.dispose();
dispose();
