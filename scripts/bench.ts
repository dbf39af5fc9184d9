// `pnpm bench [--backend wasm|cpu|node] [--repeats N]`: what the book's GPT costs on one
// backend — a training step (forward, backward, Adam), a forward pass, and sampling 512
// answers — in wall time, kernel calls and achieved arithmetic rate. A benchmark to read,
// not a test: the numbers depend on the machine. When PyTorch is installed, the same model
// in PyTorch on one thread (scripts/bench-torch.py, its twin) is timed too, side by side.
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { cpuKernels } from '../src/runtime/backend.ts';
import { profileKernels, timePerCall } from '../src/engine/profile.ts';
import { trainingStep } from '../src/engine/step.ts';
import { tokensTensor } from '../src/runtime/batch.ts';
import { countParams, forward } from '../src/runtime/model.ts';
import { Rng } from '../src/runtime/random.ts';
import { evalPrompts, respond } from '../src/workbench/evaluate.ts';
import { askBackend, parseCommandLine, runCommand, selectBackend, UserError } from './cli.ts';

const command = {
  name: 'pnpm bench',
  usage: [
    'usage: pnpm bench [--backend node|wasm|cpu] [--repeats N]',
    '  --backend, -b  node, wasm or cpu (default: RLHF_BACKEND, else the fastest that loads)',
    '  --repeats, -n  timed calls per task (default 20; sampling gets a tenth of them)',
  ].join('\n'),
};

const { repeats, backend } = await runCommand(command, async () => {
  const { values } = parseCommandLine(command, {
    options: {
      backend: { type: 'string', short: 'b' },
      repeats: { type: 'string', short: 'n', default: '20' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const repeats = Number(values.repeats);
  if (!(repeats >= 1)) throw new UserError(`--repeats ${values.repeats}: expected a positive number`);
  askBackend(values.backend);
  return { repeats, backend: await selectBackend() };
});

const { model, batch, step, dispose } = trainingStep(1);
const tokens = tokensTensor(batch);
const inputs = tokens.slice([0, 0], [32, tokens.shape[1] - 1]) as tf.Tensor2D;
const prompts = evalPrompts(512);

const work = {
  'training step': () => void step(),
  forward: () => tf.tidy(() => void forward(model, inputs).dataSync()),
  'respond(512)': () => void respond(model, prompts, new Rng(11)),
};

/** The PyTorch twin's times in ms by task, from the first python that has torch; or why none. */
function torchTwin(repeats: number): Record<string, number> | string {
  const script = new URL('./bench-torch.py', import.meta.url).pathname;
  const pythons = process.env.PYTHON ? [process.env.PYTHON] : ['python3', '/usr/bin/python3'];
  const failures: string[] = [];
  for (const python of pythons) {
    const run = spawnSync(python, [script, '--json', '--repeats', String(repeats)], {
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '1' },
    });
    if (run.status === 0) return (JSON.parse(run.stdout) as { ms: Record<string, number> }).ms;
    failures.push(`${python}: ${run.error?.message ?? run.stderr.trim().split('\n').at(-1)}`);
  }
  return `no PyTorch twin (${failures.join('; ')}); set PYTHON to a python3 with torch`;
}

const kernels = backend === 'cpu' ? ` (${cpuKernels() === 'book' ? "the book's" : "tfjs's"} kernels)` : '';
console.log(`backend ${backend}${kernels}; the book's GPT: ${countParams(model)} parameters, batch 32 × ${inputs.shape[1]} tokens`);
const twin = torchTwin(repeats);
const head = ['ms', 'kernels', 'MFLOP', 'GFLOP/s', ...(typeof twin === 'string' ? [] : ['torch ms', '× torch'])];
console.log(`${'what'.padEnd(14)} ${head.map((h) => h.padStart(9)).join(' ')}`);
const ours: Record<string, number> = {};
for (const [name, fn] of Object.entries(work)) {
  const profile = await profileKernels(fn);
  const seconds = timePerCall(fn, name === 'respond(512)' ? Math.max(1, Math.ceil(repeats / 10)) : repeats);
  ours[name] = seconds * 1000;
  const cells = [(seconds * 1000).toFixed(2), String(profile.calls), (profile.flops / 1e6).toFixed(1), (profile.flops / seconds / 1e9).toFixed(2)];
  if (typeof twin !== 'string') cells.push(twin[name].toFixed(2), (ours[name] / twin[name]).toFixed(2));
  console.log(`${name.padEnd(14)} ${cells.map((c) => c.padStart(9)).join(' ')}`);
}
if (typeof twin === 'string') console.log(twin);
else {
  console.log(`torch, sampling without a key/value cache: ${twin['respond(512), no cache'].toFixed(2)} ms`);
  const step = ours['training step'] / twin['training step'];
  const respond = ours['respond(512)'] / twin['respond(512)'];
  console.log(`targets: a training step within 2× of torch (${step.toFixed(2)}×: ${step <= 2 ? 'met' : 'not met'}), ` +
    `respond no slower (${respond.toFixed(2)}×: ${respond <= 1 ? 'met' : 'not met'})`);
}
tokens.dispose();
inputs.dispose();
dispose();
