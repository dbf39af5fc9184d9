/**
 * Checkpoints shipped with the book: what `run.keep` holds, saved under
 * `chapters/public/checkpoints/KEY.json` by `pnpm record`, so that a fresh clone loads
 * the base models instead of training them, as one downloads a pre-trained model.
 *
 * A checkpoint names the module that computes it and a fingerprint (`./fingerprint.ts`)
 * of that module's code and of every module it imports. When the code differs, the
 * checkpoint is not used; the tests check that the shipped one is still what the code
 * trains, bit for bit.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Value } from '../src/runtime/run.ts';
import { fingerprint, importClosure } from './fingerprint.ts';
import { writeWhole } from './write-whole.ts';

/** Where the checkpoints live, relative to the repository. */
export const CHECKPOINTS = 'chapters/public/checkpoints';

/** The module that trains what the chapters keep: the base models. */
export const BASE_MODELS_SOURCE = 'src/workbench/base.ts';

/** A checkpoint file: its key, the code that computed it, and the value. */
export interface Checkpoint {
  key: string;
  source: string;
  code: string;
  value: Value;
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

/** The shipped checkpoint of `key` as it is on disk, or undefined when there is none. */
export function readCheckpointFile(root: string, key: string): Checkpoint | undefined {
  const path = checkpointPath(root, key);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as Checkpoint;
}

/** The value of `key`'s checkpoint if the code that computed it is the code here now. */
export function readCheckpoint(root: string, key: string): Value | undefined {
  let checkpoint: Checkpoint | undefined;
  try {
    checkpoint = readCheckpointFile(root, key);
  } catch {
    return undefined; // unreadable: compute it again
  }
  if (!checkpoint || checkpoint.code !== sourceFingerprint(root, checkpoint.source)) return undefined;
  return checkpoint.value;
}

/** Saves `value` as `key`'s checkpoint, computed by `source`; whole or not at all. */
export function writeCheckpoint(root: string, key: string, value: Value, source = BASE_MODELS_SOURCE): string {
  const path = checkpointPath(root, key);
  const checkpoint: Checkpoint = { key, source, code: sourceFingerprint(root, source), value };
  writeWhole(path, `${JSON.stringify(checkpoint)}\n`);
  return path;
}

/** The keys of the shipped checkpoints that the code here now would make. */
export function currentCheckpoints(root: string): string[] {
  const dir = join(root, CHECKPOINTS);
  if (!existsSync(dir)) return [];
  const keys = readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => name.slice(0, -'.json'.length));
  return keys.filter((key) => readCheckpoint(root, key) !== undefined).sort();
}
