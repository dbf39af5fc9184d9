/**
 * Checkpoints shipped with the book: what `run.keep` holds, saved under
 * `chapters/public/checkpoints/KEY.json` by `pnpm record`, so that a fresh clone loads
 * the base models instead of training them, as one downloads a pre-trained model.
 *
 * A checkpoint names the module that computes it and a fingerprint (`./fingerprint.ts`)
 * of that module's code and of every module it imports. When the code differs, the
 * checkpoint is not used; the tests check that the shipped one is still what the code
 * trains, bit for bit. It also carries a digest of its value (`./digest.ts`), checked on
 * every read: a checkpoint whose weights were changed is not used either.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Value } from '../src/runtime/run.ts';
import { parseJson, reasonOf, seal, unseal, type Sealed } from './digest.ts';
import { fingerprint, importClosure } from './fingerprint.ts';
import { writeWhole } from './write-whole.ts';

/** Where the checkpoints live, relative to the repository. */
export const CHECKPOINTS = 'chapters/public/checkpoints';

/** The module that trains what the chapters keep: the base models. */
export const BASE_MODELS_SOURCE = 'src/workbench/base.ts';

/** A checkpoint file: its key, the code that computed it, the value and its digest. */
export interface Checkpoint extends Sealed {
  key: string;
  source: string;
  code: string;
}

/** A fingerprint of `source`'s import closure and of the TensorFlow.js that runs it. */
export function sourceFingerprint(root: string, source: string): string {
  return fingerprint(root, importClosure(root, source));
}

/** A key's file name, `KEY.json`: keys are letters, digits, dots and dashes only. */
export function keyFile(key: string): string {
  if (!/^[\w.-]+$/.test(key)) throw new Error(`key ${JSON.stringify(key)} is not a file name`);
  return `${key}.json`;
}

export function checkpointPath(root: string, key: string): string {
  return join(root, CHECKPOINTS, keyFile(key));
}

/**
 * The shipped checkpoint of `key` as it is on disk, or undefined when there is none. Throws,
 * saying what is wrong, when the file is not a checkpoint of `key` whose value matches its
 * digest.
 */
export function readCheckpointFile(root: string, key: string): Checkpoint | undefined {
  const path = checkpointPath(root, key);
  if (!existsSync(path)) return undefined;
  const checkpoint = parseJson(readFileSync(path, 'utf8')) as Partial<Checkpoint>;
  unseal(checkpoint);
  for (const field of ['key', 'source', 'code'] as const) {
    if (typeof checkpoint[field] !== 'string') throw new Error(`no ${field}`);
  }
  if (checkpoint.key !== key) throw new Error(`it is the checkpoint of ${checkpoint.key}`);
  return checkpoint as Checkpoint;
}

/**
 * The value of `key`'s checkpoint if the code that computed it is the code here now, or
 * undefined; throws as `readCheckpointFile` does.
 */
export function readCheckpoint(root: string, key: string): Value | undefined {
  const checkpoint = readCheckpointFile(root, key);
  if (!checkpoint || checkpoint.code !== sourceFingerprint(root, checkpoint.source)) return undefined;
  return checkpoint.value;
}

/** Saves `value` as `key`'s checkpoint, computed by `source`; whole or not at all. */
export function writeCheckpoint(root: string, key: string, value: Value, source = BASE_MODELS_SOURCE): string {
  const path = checkpointPath(root, key);
  const checkpoint: Checkpoint = { key, source, code: sourceFingerprint(root, source), ...seal(value) };
  writeWhole(path, `${JSON.stringify(checkpoint)}\n`);
  return path;
}

/**
 * The keys of the shipped checkpoints that the code here now would make. One that is not
 * sound is left out, and `say` is told why (standard error by default).
 */
export function currentCheckpoints(root: string, say: (line: string) => void = (line) => console.error(line)): string[] {
  const dir = join(root, CHECKPOINTS);
  if (!existsSync(dir)) return [];
  const keys = readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => name.slice(0, -'.json'.length));
  const current = (key: string) => {
    try {
      return readCheckpoint(root, key) !== undefined;
    } catch (error) {
      say(`${key}: ${CHECKPOINTS}/${keyFile(key)} is not a valid checkpoint (${reasonOf(error)}); left out`);
      return false;
    }
  };
  return keys.filter(current).sort();
}
