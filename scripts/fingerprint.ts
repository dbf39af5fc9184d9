/**
 * Fingerprints of code: a hash of some files under `src/` (without the tangler's line
 * markers, so that editing the prose around the code changes nothing) and of the
 * TensorFlow.js version that runs them. What was computed by one fingerprint's code is
 * not to be trusted under another's.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Relative imports of a module (`import … from './x.ts'`, `export … from`, `import './x.ts'`). */
export function relativeImports(text: string): string[] {
  const found = text.matchAll(/(?:\bfrom|^\s*import)\s*['"](\.{1,2}\/[^'"]+)['"]/gm);
  return [...new Set(Array.from(found, (m) => m[1]!))];
}

/**
 * `source` and every module it imports, transitively: root-relative path → text, sorted by
 * path (the form of the tangler's `readTree`).
 */
export function importClosure(root: string, source: string): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    const path = join(root, file);
    if (!existsSync(path)) throw new Error(`${file}: no such module (imported while fingerprinting ${source})`);
    const text = readFileSync(path, 'utf8');
    seen.set(file, text);
    for (const spec of relativeImports(text)) visit(relative(root, resolve(dirname(path), spec)));
  };
  visit(source);
  return new Map([...seen].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Code without the tangler's header hash and `// ↳ chapter:line` markers. */
function codeOnly(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^\s*\/\/ (?:tangle-hash:|↳ )/.test(line))
    .join('\n');
}

/**
 * A fingerprint of `modules` (root-relative path → text, as `importClosure` or the tangler's
 * `readTree` give them) and of the TensorFlow.js installed under `root`.
 */
export function fingerprint(root: string, modules: Map<string, string>): string {
  const hash = createHash('sha256');
  for (const [file, text] of modules) hash.update(file).update('\0').update(codeOnly(text)).update('\0');
  const tfjs = join(root, 'node_modules', '@tensorflow', 'tfjs', 'package.json');
  if (existsSync(tfjs)) hash.update((JSON.parse(readFileSync(tfjs, 'utf8')) as { version: string }).version);
  return hash.digest('hex').slice(0, 16);
}
