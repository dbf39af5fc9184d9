/**
 * `run.keep` for chapters run from a terminal: JSON files under `.cache/keep/<code>/`,
 * where `<code>` is a fingerprint of all the code under `src/` (`./fingerprint.ts`).
 * Any change to the code starts a new, empty store, and the old ones are removed, so
 * nothing kept can outlive the code that computed it. What is not kept there is looked
 * for among the checkpoints shipped with the book (`./checkpoints.ts`), which carry a
 * fingerprint of their own code. `RLHF_KEEP=0` turns both off.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Keep, Value } from '../src/runtime/run.ts';
import { CHECKPOINTS, keyFile, readCheckpoint } from './checkpoints.ts';
import { fingerprint } from './fingerprint.ts';
import { readTree } from './tangle/fs.ts';
import { writeWhole } from './write-whole.ts';

/** A fingerprint of all the code under `root/src` and of the TensorFlow.js that runs it. */
export function codeFingerprint(root: string): string {
  return fingerprint(root, readTree(root, 'src'));
}

/**
 * The store for `root`'s current code, or undefined when `RLHF_KEEP=0`. `say` is told
 * where a value read came from (standard error by default).
 */
export function fileKeep(root: string, say: (line: string) => void = (line) => console.error(line)): Keep | undefined {
  if (process.env.RLHF_KEEP === '0') return undefined;
  const base = join(root, '.cache', 'keep');
  const dir = join(base, codeFingerprint(root));
  const file = (key: string) => join(dir, keyFile(key));
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
      writeWhole(file(key), JSON.stringify(value));
    },
  };
}
