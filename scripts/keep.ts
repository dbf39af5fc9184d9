/**
 * `run.keep` for chapters run from a terminal: JSON files under `.cache/keep/<code>/`,
 * where `<code>` is a hash of every file under `src/` and of the TensorFlow.js version.
 * Any change to the code starts a new, empty store, and the old ones are removed, so
 * nothing kept can outlive the code that computed it. What is not kept there is looked
 * for among the checkpoints shipped with the book (`./checkpoints.ts`), which carry a
 * fingerprint of their own code. `RLHF_KEEP=0` turns both off.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Keep, Value } from '../src/runtime/run.ts';
import { CHECKPOINTS, readCheckpoint } from './checkpoints.ts';

/** A hash of the code under `root/src` and the TensorFlow.js that runs it. */
export function codeFingerprint(root: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else hash.update(relative(root, path)).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  walk(join(root, 'src'));
  const tfjs = join(root, 'node_modules', '@tensorflow', 'tfjs', 'package.json');
  if (existsSync(tfjs)) hash.update((JSON.parse(readFileSync(tfjs, 'utf8')) as { version: string }).version);
  return hash.digest('hex').slice(0, 16);
}

/** Keys become file names: letters, digits, dots and dashes only. */
const KEY = /^[\w.-]+$/;

/**
 * The store for `root`'s current code, or undefined when `RLHF_KEEP=0`. `say` is told
 * where a value read came from (standard error by default).
 */
export function fileKeep(root: string, say: (line: string) => void = (line) => console.error(line)): Keep | undefined {
  if (process.env.RLHF_KEEP === '0') return undefined;
  const base = join(root, '.cache', 'keep');
  const dir = join(base, codeFingerprint(root));
  const file = (key: string) => {
    if (!KEY.test(key)) throw new Error(`run.keep: key ${JSON.stringify(key)} is not a file name`);
    return join(dir, `${key}.json`);
  };
  return {
    read(key) {
      try {
        const value = JSON.parse(readFileSync(file(key), 'utf8')) as Value;
        say(`${key}: loaded from ${relative(root, file(key))} (kept by an earlier run of this code; --fresh computes it again)`);
        return value;
      } catch {
        // nothing kept, or a file cut short: try the shipped checkpoint, else compute it again
      }
      const shipped = readCheckpoint(root, key);
      if (shipped !== undefined) say(`${key}: loaded from ${CHECKPOINTS}/${key}.json (made by this code; --fresh computes it again)`);
      return shipped;
    },
    write(key, value) {
      if (existsSync(base)) for (const old of readdirSync(base)) if (join(base, old) !== dir) rmSync(join(base, old), { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const target = file(key);
      const partial = `${target}.${process.pid}.tmp`;
      writeFileSync(partial, JSON.stringify(value));
      renameSync(partial, target); // whole or not at all
    },
  };
}
