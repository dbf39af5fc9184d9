// Keeping the base models between runs: the stored form gives back every weight bit for bit,
// the file store forgets everything when the code changes, a kept entry is used as is, and
// a shipped checkpoint is used only while the code that made it is unchanged. (What is
// checked before a kept value is used, digest and shape, is in ./weights.test.ts.)
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readCheckpoint, sourceFingerprint, writeCheckpoint } from '../scripts/checkpoints.ts';
import { importClosure, relativeImports } from '../scripts/fingerprint.ts';
import { codeFingerprint, fileKeep } from '../scripts/keep.ts';
import { createGpt, disposeGpt, snapshotGpt } from '../src/runtime/model.ts';
import { Rng } from '../src/runtime/random.ts';
import type { Keep, Value } from '../src/runtime/run.ts';
import { baseModels, fromKept, GPT_CONFIG, toKept, type Entry } from '../src/workbench/base.ts';
import { onBackendWithoutLeaks } from './support/backends.ts';

/** A `decode` that takes any value as it is. */
const asIs = (value: Value) => value;

describe('kept base models', () => {
  onBackendWithoutLeaks('wasm');

  /** An entry from two untrained models, with awkward floats planted in it. */
  function entry(): Entry {
    const a = createGpt(GPT_CONFIG, new Rng(1));
    const b = createGpt(GPT_CONFIG, new Rng(2));
    const e = { pretrained: snapshotGpt(a), sft: snapshotGpt(b), pretrainLosses: [2.5, 1.25], sftLosses: [0.5] };
    disposeGpt(a);
    disposeGpt(b);
    const values = e.sft.weights.head!.values;
    values.set([-0, Math.fround(1.4e-45), 3.4028234663852886e38, Math.fround(0.1), -Math.fround(1 / 3)]);
    return e;
  }

  test('survive JSON bit for bit, -0 and subnormals included', () => {
    const original = entry();
    const back = fromKept(JSON.parse(JSON.stringify(toKept(original))) as Value);
    for (const side of ['pretrained', 'sft'] as const) {
      for (const [name, w] of Object.entries(original[side].weights)) {
        const restored = back[side].weights[name]!;
        expect(restored.shape).toEqual(w.shape);
        expect(new Uint32Array(restored.values.buffer)).toEqual(new Uint32Array(w.values.buffer));
      }
    }
    expect(back.sftLosses).toEqual([0.5]);
  });

  test('are used as kept, without training', () => {
    const kept = toKept(entry());
    const keep: Keep = {
      read: (key, decode) => (key === `base-models-${tf.getBackend()}-777` ? decode(kept) : undefined),
      write: () => expect.fail('wrote'),
    };
    const run = { log() {}, progress: () => expect.fail('trained'), keep };
    const { pretrained, sft, pretrainLosses } = baseModels(run, 777);
    const head = Array.from(sft.params.head!.dataSync().slice(0, 2));
    disposeGpt(pretrained);
    disposeGpt(sft);
    expect(pretrainLosses).toEqual([2.5, 1.25]);
    expect(head).toEqual([-0, Math.fround(1.4e-45)]);
  });
});

describe('the file store', () => {
  /** A repository with one source file. */
  function repo(): string {
    const root = mkdtempSync(join(tmpdir(), 'rlhf-keep-'));
    mkdirSync(join(root, 'src', 'a'), { recursive: true });
    writeFileSync(join(root, 'src', 'a', 'x.ts'), 'export const x = 1;\n');
    return root;
  }

  test('reads what it wrote, and nothing for a key never written', () => {
    const keep = fileKeep(repo(), () => {})!;
    keep.write('base-models-wasm-1', { a: [1, 2.5] });
    expect(keep.read('base-models-wasm-1', asIs)).toEqual({ a: [1, 2.5] });
    expect(keep.read('other', asIs)).toBeUndefined();
    expect(() => keep.write('../escape', 1)).toThrow(/not a file name/);
  });

  test('forgets everything when any file under src/ changes, and removes the old store', () => {
    const root = repo();
    fileKeep(root, () => {})!.write('k', 1);
    const before = codeFingerprint(root);
    writeFileSync(join(root, 'src', 'a', 'x.ts'), 'export const x = 2;\n');
    expect(codeFingerprint(root)).not.toBe(before);
    const keep = fileKeep(root, () => {})!;
    expect(keep.read('k', asIs)).toBeUndefined();
    keep.write('k', 2);
    expect(readdirSync(join(root, '.cache', 'keep'))).toEqual([codeFingerprint(root)]);
    expect(existsSync(join(root, '.cache', 'keep', before))).toBe(false);
  });

  test('is off with RLHF_KEEP=0', () => {
    const saved = process.env.RLHF_KEEP;
    process.env.RLHF_KEEP = '0';
    try {
      expect(fileKeep(repo())).toBeUndefined();
    } finally {
      if (saved === undefined) delete process.env.RLHF_KEEP;
      else process.env.RLHF_KEEP = saved;
    }
  });
});

describe('checkpoints shipped with the book', () => {
  /** A repository whose `src/m/a.ts` imports b.ts, which imports c.ts; d.ts stands apart. */
  function repo(): string {
    const root = mkdtempSync(join(tmpdir(), 'rlhf-checkpoint-'));
    mkdirSync(join(root, 'src', 'm'), { recursive: true });
    mkdirSync(join(root, 'src', 'n'), { recursive: true });
    writeFileSync(join(root, 'src', 'm', 'a.ts'), "// tangle-hash: 0\n// ↳ chapters/00.md:10\nimport { b } from './b.ts';\nimport type { T } from \"../n/c.ts\";\nexport const a = b;\n");
    writeFileSync(join(root, 'src', 'm', 'b.ts'), "export { c as b } from '../n/c.ts';\nimport * as tf from '@tensorflow/tfjs';\n");
    writeFileSync(join(root, 'src', 'n', 'c.ts'), 'export const c = 1;\nexport type T = number;\n');
    writeFileSync(join(root, 'src', 'n', 'd.ts'), 'export const d = 1;\n');
    return root;
  }

  test('finds relative imports and re-exports, not packages', () => {
    expect(relativeImports("import a from './a.ts';\nexport * from \"../b.ts\";\nimport './c.ts';\nimport x from 'pkg';\nconst s = 'from ./z.ts';")).toEqual([
      './a.ts',
      '../b.ts',
      './c.ts',
    ]);
  });

  test('fingerprint the import closure of their source, not the rest of src/ nor line markers', () => {
    const root = repo();
    expect([...importClosure(root, 'src/m/a.ts').keys()]).toEqual(['src/m/a.ts', 'src/m/b.ts', 'src/n/c.ts']);
    const before = sourceFingerprint(root, 'src/m/a.ts');
    writeFileSync(join(root, 'src', 'n', 'd.ts'), 'export const d = 2;\n');
    writeFileSync(join(root, 'src', 'm', 'a.ts'), "// tangle-hash: 1\n// ↳ chapters/00.md:99\nimport { b } from './b.ts';\nimport type { T } from \"../n/c.ts\";\nexport const a = b;\n");
    expect(sourceFingerprint(root, 'src/m/a.ts')).toBe(before);
    writeFileSync(join(root, 'src', 'n', 'c.ts'), 'export const c = 2;\nexport type T = number;\n');
    expect(sourceFingerprint(root, 'src/m/a.ts')).not.toBe(before);
  });

  test('are read only while the code that made them is unchanged', () => {
    const root = repo();
    writeCheckpoint(root, 'base-models-wasm-1', { w: 'AAAA' }, 'src/m/a.ts');
    expect(readCheckpoint(root, 'base-models-wasm-1')).toEqual({ w: 'AAAA' });
    expect(readCheckpoint(root, 'base-models-cpu-1')).toBeUndefined();
    const said: string[] = [];
    expect(fileKeep(root, (line) => said.push(line))!.read('base-models-wasm-1', asIs)).toEqual({ w: 'AAAA' });
    expect(said).toEqual(['base-models-wasm-1: loaded from chapters/public/checkpoints/base-models-wasm-1.json (made by this code; --fresh computes it again)']);
    writeFileSync(join(root, 'src', 'm', 'b.ts'), "export { c as b } from '../n/c.ts';\n// changed\n");
    expect(readCheckpoint(root, 'base-models-wasm-1')).toBeUndefined();
  });

  test('name a missing module', () => {
    const root = repo();
    writeFileSync(join(root, 'src', 'n', 'c.ts'), "import './gone.ts';\n");
    expect(() => importClosure(root, 'src/m/a.ts')).toThrow('src/n/gone.ts: no such module (imported while fingerprinting src/m/a.ts)');
  });
});
