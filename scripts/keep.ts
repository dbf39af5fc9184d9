/**
 * `run.keep` for chapters run from a terminal: JSON files under `.cache/keep/<code>/`,
 * where `<code>` is a fingerprint of all the code under `src/` (`./fingerprint.ts`).
 * Any change to the code starts a new, empty store, and the old ones are removed, so
 * nothing kept can outlive the code that computed it. What is not kept there is looked
 * for among the checkpoints shipped with the book (`./checkpoints.ts`), which carry a
 * fingerprint of their own code. `RLHF_KEEP=0` turns both off.
 *
 * Each file holds its value's digest (`./digest.ts`), checked on every read, and the
 * caller's `decode` checks that the value is what it keeps. A file that fails either
 * (changed, cut short, of another shape, or written before digests) is not used: the
 * store says so in one line and the value is computed again.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Keep, Value } from '../src/runtime/run.ts';
import { CHECKPOINTS, keyFile, readCheckpoint } from './checkpoints.ts';
import { parseJson, reasonOf, seal, unseal } from './digest.ts';
import { fingerprint } from './fingerprint.ts';
import { readTree } from './tangle/fs.ts';
import { writeWhole } from './write-whole.ts';

/** A fingerprint of all the code under `root/src` and of the TensorFlow.js that runs it. */
export function codeFingerprint(root: string): string {
  return fingerprint(root, readTree(root, 'src'));
}

/** The value kept in `path`, checked against its digest, or undefined when there is none. */
function readKept(path: string): Value | undefined {
  return existsSync(path) ? unseal(parseJson(readFileSync(path, 'utf8'))) : undefined;
}

/** Somewhere a value may be found: a file, what it is, and who made what it holds. */
interface Source {
  file: string;
  what: string;
  madeBy: string;
  read: () => Value | undefined;
}

/**
 * The store for `root`'s current code, or undefined when `RLHF_KEEP=0`. `say` is told
 * where a value read came from, or why a file was not used (standard error by default).
 */
export function fileKeep(root: string, say: (line: string) => void = (line) => console.error(line)): Keep | undefined {
  if (process.env.RLHF_KEEP === '0') return undefined;
  const base = join(root, '.cache', 'keep');
  const dir = join(base, codeFingerprint(root));
  const file = (key: string) => join(dir, keyFile(key));
  const sources = (key: string): Source[] => [
    {
      file: relative(root, file(key)),
      what: 'kept value',
      madeBy: 'kept by an earlier run of this code',
      read: () => readKept(file(key)),
    },
    {
      file: `${CHECKPOINTS}/${keyFile(key)}`,
      what: 'checkpoint',
      madeBy: 'made by this code',
      read: () => readCheckpoint(root, key),
    },
  ];
  return {
    read(key, decode) {
      const rejected: string[] = [];
      const reject = (then: string) => rejected.forEach((line) => say(`${line}; ${then}`));
      for (const { file, what, madeBy, read } of sources(key)) {
        try {
          const value = read();
          if (value === undefined) continue; // none, or made by other code
          const decoded = decode(value);
          reject('not used');
          say(`${key}: loaded from ${file} (${madeBy}; --fresh computes it again)`);
          return decoded;
        } catch (error) {
          rejected.push(`${key}: ${file} is not a valid ${what} (${reasonOf(error)})`);
        }
      }
      reject('computing it again');
      return undefined;
    },
    write(key, value) {
      if (existsSync(base)) for (const old of readdirSync(base)) if (join(base, old) !== dir) rmSync(join(base, old), { recursive: true, force: true });
      writeWhole(file(key), JSON.stringify(seal(value)));
    },
  };
}
