// What is checked before a kept value is used: the digest stored beside it (in the files
// under .cache/keep/ and in the checkpoints shipped with the book) and, by chapter 00's
// `fromKept`, that it has the names, shapes and numbers of the base models. A file that
// fails is not used: the store says so in one line and the models are trained again.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CHECKPOINTS, currentCheckpoints, readCheckpoint, readCheckpointFile } from '../scripts/checkpoints.ts';
import { canonicalJson, digestOf, seal, unseal } from '../scripts/digest.ts';
import { codeFingerprint, fileKeep } from '../scripts/keep.ts';
import { ROOT } from '../scripts/run-chapter.ts';
import { createGpt, disposeGpt, snapshotGpt } from '../src/runtime/model.ts';
import { Rng } from '../src/runtime/random.ts';
import type { Value } from '../src/runtime/run.ts';
import { fromKept, GPT_CONFIG, toKept } from '../src/workbench/base.ts';
import { onBackendWithoutLeaks } from './support/backends.ts';

const KEY = 'base-models-wasm-1';

/** The kept form of two untrained models, as plain JSON data. */
function keptEntry(): { [key: string]: Value } {
  const a = createGpt(GPT_CONFIG, new Rng(1));
  const b = createGpt(GPT_CONFIG, new Rng(2));
  const entry = { pretrained: snapshotGpt(a), sft: snapshotGpt(b), pretrainLosses: [2.5], sftLosses: [0.5] };
  disposeGpt(a);
  disposeGpt(b);
  return JSON.parse(JSON.stringify(toKept(entry))) as { [key: string]: Value };
}

/** `text` with one weight changed: a character of the first `"values"` string replaced. */
function changeOneWeight(text: string): string {
  const at = text.indexOf('"values":"') + '"values":"'.length + 5;
  return `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
}

/** A repository with one source file, and the store of its code with a line collector. */
function store(): { root: string; file: string; said: string[]; keep: NonNullable<ReturnType<typeof fileKeep>> } {
  const root = mkdtempSync(join(tmpdir(), 'rlhf-weights-'));
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'src', 'x.ts'), 'export const x = 1;\n');
  const said: string[] = [];
  const file = join('.cache', 'keep', codeFingerprint(root), `${KEY}.json`);
  return { root, file, said, keep: fileKeep(root, (line) => said.push(line))! };
}

/** A copy of this repository's `src/` and shipped checkpoint, whose code is this code. */
function shippedCopy(): { root: string; path: string } {
  const root = mkdtempSync(join(tmpdir(), 'rlhf-shipped-'));
  cpSync(join(ROOT, 'src'), join(root, 'src'), { recursive: true });
  cpSync(join(ROOT, CHECKPOINTS), join(root, CHECKPOINTS), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules')); // the same TensorFlow.js
  return { root, path: join(root, CHECKPOINTS, `${KEY}.json`) };
}

const notValid = (file: string, reason: string, then = 'computing it again') =>
  `${KEY}: ${file} is not a valid kept value (${reason}); ${then}`;

describe('digests', () => {
  test('are of the value, whatever the order of its keys', () => {
    expect(canonicalJson({ b: [1, { d: true, c: 'x' }], a: -0 })).toBe('{"a":0,"b":[1,{"c":"x","d":true}]}');
    expect(digestOf({ a: 1, b: 2 })).toBe(digestOf({ b: 2, a: 1 }));
    expect(digestOf({ a: 1 })).not.toBe(digestOf({ a: 2 }));
    expect(digestOf({ a: 1 })).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  test('are checked on unsealing, which says what is wrong', () => {
    expect(unseal(JSON.parse(JSON.stringify(seal({ w: [1, 2] }))))).toEqual({ w: [1, 2] });
    expect(() => unseal({ digest: digestOf(1), value: 2 })).toThrow('its value does not match its digest');
    expect(() => unseal({ value: 2 })).toThrow('no digest: written by an older version');
    expect(() => unseal({ digest: digestOf(1) })).toThrow('no value');
    for (const stored of [null, [], 'x', 3]) expect(() => unseal(stored)).toThrow('not an object');
  });
});

describe('a kept value', () => {
  onBackendWithoutLeaks('wasm');

  test('that verifies is loaded, with one line saying where from', () => {
    const { file, said, keep } = store();
    const kept = keptEntry();
    keep.write(KEY, kept);
    expect(toKept(keep.read(KEY, fromKept)!)).toEqual(kept);
    expect(said).toEqual([`${KEY}: loaded from ${file} (kept by an earlier run of this code; --fresh computes it again)`]);
  });

  test('with a changed weight is computed again, with one line', () => {
    const { root, file, said, keep } = store();
    keep.write(KEY, keptEntry());
    writeFileSync(join(root, file), changeOneWeight(readFileSync(join(root, file), 'utf8')));
    expect(keep.read(KEY, fromKept)).toBeUndefined();
    expect(said).toEqual([notValid(file, 'its value does not match its digest')]);
  });

  test('cut short, or empty, is computed again, with one line', () => {
    const { root, file, said, keep } = store();
    keep.write(KEY, keptEntry());
    const text = readFileSync(join(root, file), 'utf8');
    for (const cut of [text.slice(0, text.length / 2), '']) {
      writeFileSync(join(root, file), cut);
      expect(keep.read(KEY, fromKept)).toBeUndefined();
    }
    expect(said).toHaveLength(2);
    for (const line of said) expect(line).toMatch(new RegExp(`^${KEY}: \\S+ is not a valid kept value \\(not JSON: [^\\n]+\\); computing it again$`));
  });

  test('written before digests (or not by the store) is computed again, with one line', () => {
    const cases: [string, string][] = [
      [JSON.stringify(keptEntry()), 'no digest: written by an older version'],
      ['{}', 'no digest: written by an older version'],
      ['[]', 'not an object'],
      ['null', 'not an object'],
    ];
    for (const [text, reason] of cases) {
      const { root, file, said, keep } = store();
      keep.write(KEY, 0); // makes the folder
      writeFileSync(join(root, file), text);
      expect(keep.read(KEY, fromKept)).toBeUndefined();
      expect(said).toEqual([notValid(file, reason)]);
    }
  });

  /** A change to a kept entry (loosely typed: it makes what the types forbid). */
  type Change = (kept: any) => unknown;
  const edit = (change: Change) => (kept: Value) => (change(kept), kept);

  /** Kept values that match their digest but are not base models of this code: how, and why not. */
  const wrongShapes: [string, (kept: Value) => unknown, string][] = [
    ['{}', () => ({}), 'the kept value has no pretrained'],
    ['[]', () => [], 'the kept value is not an object'],
    ['null', () => null, 'the kept value is not an object'],
    ['a missing layer', edit((k) => delete k.sft.weights['h1.mlp.w2']), 'sft.weights has no h1.mlp.w2'],
    ['an extra weight', edit((k) => (k.sft.weights.h2 = k.sft.weights.head)), 'sft.weights has a weight no model has: h2'],
    ['another shape', edit((k) => (k.pretrained.weights.wpe.shape = [12, 33])), 'pretrained.weights.wpe.shape is not [12,32]'],
    ['a string for a number', edit((k) => (k.pretrained.weights.wte.shape = [14, '32'])), 'pretrained.weights.wte.shape is not [14,32]'],
    ['a loss as a string', edit((k) => (k.pretrainLosses = ['2.5'])), 'pretrainLosses is not a list of finite numbers'],
    ['no losses', edit((k) => delete k.sftLosses), 'the kept value has no sftLosses'],
    ['another config', edit((k) => (k.sft.config.nLayers = 3)), 'sft.config.nLayers is not 2'],
    ['no config', edit((k) => delete k.pretrained.config), 'pretrained has no config'],
    ['too few values', edit((k) => (k.sft.weights.head.values = k.sft.weights.head.values.slice(4))), 'sft.weights.head.values is not 448 float32s in base64'],
    ['values not base64', edit((k) => (k.sft.weights.head.values = `!${k.sft.weights.head.values.slice(1)}`)), 'sft.weights.head.values is not 448 float32s in base64'],
    ['values as numbers', edit((k) => (k.sft.weights['lnf.b'].values = Array(32).fill(0))), 'sft.weights.lnf.b.values is not 32 float32s in base64'],
    ['a NaN weight', edit((k) => (k.sft.weights['lnf.b'].values = btoa('\0\0\xc0\x7f'.repeat(32)))), 'sft.weights.lnf.b.values has a number that is not finite'],
  ];

  for (const [what, change, reason] of wrongShapes) {
    test(`of the wrong shape (${what}) is computed again, with one line, and nothing thrown`, () => {
      const { file, said, keep } = store();
      keep.write(KEY, change(keptEntry()) as Value);
      expect(keep.read(KEY, fromKept)).toBeUndefined();
      expect(said).toEqual([notValid(file, reason)]);
    });
  }
});

describe(`the checkpoint shipped in ${CHECKPOINTS}`, () => {
  onBackendWithoutLeaks('wasm');

  test('matches its digest, and holds base models of the shape this code makes', () => {
    const checkpoint = readCheckpointFile(ROOT, KEY)!; // throws when its value does not match its digest
    expect(checkpoint.digest, `${CHECKPOINTS}/${KEY}.json: its value does not match its digest`).toBe(digestOf(checkpoint.value));
    expect(() => fromKept(checkpoint.value)).not.toThrow();
  });

  test('is loaded, in a copy, while its code is this code', () => {
    const { root } = shippedCopy();
    const said: string[] = [];
    expect(fileKeep(root, (line) => said.push(line))!.read(KEY, fromKept)).toBeDefined();
    expect(said).toEqual([`${KEY}: loaded from ${CHECKPOINTS}/${KEY}.json (made by this code; --fresh computes it again)`]);
    expect(currentCheckpoints(root, (line) => said.push(line))).toEqual([KEY]);
    expect(said).toHaveLength(1);
  });

  test('with a changed weight, in a copy, is not used, with one line', () => {
    const { root, path } = shippedCopy();
    writeFileSync(path, changeOneWeight(readFileSync(path, 'utf8')));
    const said: string[] = [];
    expect(fileKeep(root, (line) => said.push(line))!.read(KEY, fromKept)).toBeUndefined();
    expect(said).toEqual([`${KEY}: ${CHECKPOINTS}/${KEY}.json is not a valid checkpoint (its value does not match its digest); computing it again`]);
    expect(() => readCheckpoint(root, KEY)).toThrow('its value does not match its digest');
    expect(currentCheckpoints(root, (line) => said.push(line))).toEqual([]); // nor offered to the site
    expect(said[1]).toBe(`${KEY}: ${CHECKPOINTS}/${KEY}.json is not a valid checkpoint (its value does not match its digest); left out`);
  });

  test('cut short, in a copy, is not used, with one line', () => {
    const { root, path } = shippedCopy();
    writeFileSync(path, readFileSync(path, 'utf8').slice(0, 1000));
    const said: string[] = [];
    expect(fileKeep(root, (line) => said.push(line))!.read(KEY, fromKept)).toBeUndefined();
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(new RegExp(`^${KEY}: ${CHECKPOINTS}/${KEY}.json is not a valid checkpoint \\(not JSON: .+\\); computing it again$`));
  });

  test('is loaded, in a copy, when the kept file is not valid, after one line on that file', () => {
    const { root } = shippedCopy();
    const said: string[] = [];
    const keep = fileKeep(root, (line) => said.push(line))!;
    keep.write(KEY, {});
    expect(keep.read(KEY, fromKept)).toBeDefined();
    const file = join('.cache', 'keep', codeFingerprint(root), `${KEY}.json`);
    expect(said).toEqual([
      notValid(file, 'the kept value has no pretrained', 'not used'),
      `${KEY}: loaded from ${CHECKPOINTS}/${KEY}.json (made by this code; --fresh computes it again)`,
    ]);
  });
});
