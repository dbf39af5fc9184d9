/**
 * The tangler's operations on a book on disk: tangle into `src/`, check
 * `src/`, emit the read-only blocks. Each reports in lines of text and never
 * writes anything when there are errors.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tangle } from './core.ts';
import { describeFailure, formatError, sortErrors } from './errors.ts';
import { readChapters, readTree } from './fs.ts';
import { planTree, type Change } from './plan.ts';
import { lockFile, lockHolder, withLock } from './lock.ts';
import { readOnlyDirectory } from './paths.ts';
import type { TangleResult } from './types.ts';
import { recoverDirectory, replaceDirectory, swapLeftovers } from './write.ts';

/** Directory owned by the tangler. */
export const sourceDirectory = 'src';

/** What an operation did: success, and lines to print. */
export interface Report {
  ok: boolean;
  /** Problems (on stderr) or a summary (on stdout). */
  lines: string[];
  /** The `src/` changes made (tangle) or needed (check). */
  changes: Change[];
}

/**
 * Tangle the chapters of the book at `root`, in memory. A root without a
 * `chapters/` directory is an error (rather than a book whose `src/` should
 * be emptied).
 */
export function tangleBook(root: string): TangleResult & { chapters: number } {
  if (!existsSync(join(root, 'chapters'))) {
    const error = { file: root, line: 0, message: 'no chapters/ directory here' };
    return { files: new Map(), readOnly: new Map(), errors: [error], chapters: 0 };
  }
  const { chapters, errors } = readChapters(root);
  const result = tangle(chapters);
  return { ...result, errors: sortErrors([...errors, ...result.errors]), chapters: chapters.length };
}

/** Options of `tangleToDisk`. */
export interface TangleOptions {
  /** Overwrite or delete files of `src/` edited by hand. */
  force?: boolean;
}

/** `pnpm tangle`: write `src/` and `.tangle/read-only/` from the chapters. */
export function tangleToDisk(root: string, options: TangleOptions = {}): Report {
  return oneLineOnFailure(root, () => withLock(root, () => tangleInto(root, options)));
}

function tangleInto(root: string, options: TangleOptions): Report {
  const result = tangleBook(root);
  if (result.errors.length > 0) return failure(result.errors.map(formatError));

  recoverDirectory(root, sourceDirectory);
  recoverDirectory(root, readOnlyDirectory);
  const plan = planTree(readTree(root, sourceDirectory), result.files, options.force ?? false);
  if (plan.refusals.length > 0) return failure(plan.refusals.map((refusal) => refusal.message));

  if (plan.changes.length > 0) replaceDirectory(root, sourceDirectory, result.files);
  replaceDirectory(root, readOnlyDirectory, result.readOnly);

  const removed = plan.changes.filter((change) => change.kind === 'D').length;
  const changed = plan.changes.length - removed;
  const counts = [`${changed} changed`, ...(removed > 0 ? [`${removed} removed`] : [])].join(', ');
  const summary =
    `tangled ${plural(result.chapters, 'chapter')} into ${plural(result.files.size, 'file')} ` +
    `(${counts}), ${plural(result.readOnly.size, 'read-only block')}`;
  return { ok: true, lines: [summary], changes: plan.changes };
}

/** `pnpm tangle --check`: whether `src/` is exactly what the chapters produce. */
export function checkSource(root: string): Report {
  return oneLineOnFailure(root, () => checkAgainst(root));
}

function checkAgainst(root: string): Report {
  const result = tangleBook(root);
  if (result.errors.length > 0) return failure(result.errors.map(formatError));
  const holder = lockHolder(root);
  if (holder !== undefined) {
    return failure([`${sourceDirectory}/: a tangle (process ${holder}, ${lockFile}) is writing it now; check again when it is done`]);
  }
  const { previous, next } = swapLeftovers(root, sourceDirectory);
  if (previous.length + next.length > 0) {
    return failure([`${sourceDirectory}/: a tangle was interrupted (its trees are left in .tangle/); run \`pnpm tangle\` to recover`]);
  }
  const plan = planTree(readTree(root, sourceDirectory), result.files, true);
  if (plan.changes.length === 0) {
    return {
      ok: true,
      lines: [`src/ is up to date: ${plural(result.files.size, 'file')} from ${plural(result.chapters, 'chapter')}`],
      changes: [],
    };
  }
  return {
    ok: false,
    lines: [
      ...plan.changes.map((change) => `${change.kind} ${change.path}`),
      'src/ differs from what the chapters produce (M modified, A missing, D extra): run `pnpm tangle`',
    ],
    changes: plan.changes,
  };
}

/** Write `.tangle/read-only/` only (for `pnpm typecheck`); `src/` is left alone. */
export function emitReadOnly(root: string): Report {
  return oneLineOnFailure(root, () =>
    withLock(root, () => {
      const result = tangleBook(root);
      if (result.errors.length > 0) return failure(result.errors.map(formatError));
      replaceDirectory(root, readOnlyDirectory, result.readOnly);
      return { ok: true, lines: [`wrote ${plural(result.readOnly.size, 'read-only block')}`], changes: [] };
    }),
  );
}

/** The report of `operation`, or one line naming the path when the file system fails it. */
function oneLineOnFailure(root: string, operation: () => Report): Report {
  try {
    return operation();
  } catch (error) {
    return failure([describeFailure(root, error)]);
  }
}

function failure(lines: string[]): Report {
  return { ok: false, lines, changes: [] };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
