/**
 * Checkpoints shipped with the book: what `run.keep` holds, saved under
 * `chapters/public/checkpoints/KEY.json` by `pnpm record`, so that a fresh clone loads
 * the base models instead of training them, as one downloads a pre-trained model.
 *
 * A checkpoint names the module that computes it and a fingerprint of that module's code
 * and of every module it imports (with the tangler's line markers left out, so that
 * editing the prose around the code forgets nothing). When the code differs, the
 * checkpoint is not used; the tests check that the shipped one is still what the code
 * trains, bit for bit.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Value } from '../src/runtime/run.ts';

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

/** Relative imports of a module (`import … from './x.ts'`, `export … from`, `import './x.ts'`). */
export function relativeImports(text: string): string[] {
  const found = text.matchAll(/(?:\bfrom|^\s*import)\s*['"](\.{1,2}\/[^'"]+)['"]/gm);
  return [...new Set(Array.from(found, (m) => m[1]!))];
}

/** `source` and every module it imports, transitively, as sorted paths relative to `root`. */
export function importClosure(root: string, source: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    const path = join(root, file);
    if (!existsSync(path)) throw new Error(`${file}: no such module (imported while fingerprinting ${source})`);
    seen.add(file);
    for (const spec of relativeImports(readFileSync(path, 'utf8'))) visit(relative(root, resolve(dirname(path), spec)));
  };
  visit(source);
  return [...seen].sort();
}

/** Code without the tangler's header hash and `// ↳ chapter:line` markers. */
function codeOnly(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^\s*\/\/ (?:tangle-hash:|↳ )/.test(line))
    .join('\n');
}

/** A fingerprint of `source`'s import closure and of the TensorFlow.js that runs it. */
export function sourceFingerprint(root: string, source: string): string {
  const hash = createHash('sha256');
  for (const file of importClosure(root, source)) hash.update(file).update('\0').update(codeOnly(readFileSync(join(root, file), 'utf8'))).update('\0');
  const tfjs = join(root, 'node_modules', '@tensorflow', 'tfjs', 'package.json');
  if (existsSync(tfjs)) hash.update((JSON.parse(readFileSync(tfjs, 'utf8')) as { version: string }).version);
  return hash.digest('hex').slice(0, 16);
}

export function checkpointPath(root: string, key: string): string {
  if (!/^[\w.-]+$/.test(key)) throw new Error(`checkpoint key ${JSON.stringify(key)} is not a file name`);
  return join(root, CHECKPOINTS, `${key}.json`);
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
  mkdirSync(dirname(path), { recursive: true });
  const checkpoint: Checkpoint = { key, source, code: sourceFingerprint(root, source), value };
  const partial = `${path}.${process.pid}.tmp`;
  writeFileSync(partial, `${JSON.stringify(checkpoint)}\n`);
  renameSync(partial, path);
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
