/**
 * Comparing the `src/` on disk with what the chapters produce: which files are
 * added, modified, deleted or unchanged, and which may not be touched because
 * they were edited by hand.
 */
import { readHeader } from './header.ts';

/** How a file of `src/` changes. */
export type ChangeKind = 'A' | 'M' | 'D';

export interface Change {
  kind: ChangeKind;
  path: string;
}

/** A file whose hand edits a tangle would destroy. */
export interface Refusal {
  path: string;
  message: string;
}

export interface Plan {
  changes: Change[];
  unchanged: string[];
  refusals: Refusal[];
}

/**
 * Plan turning `existing` into `produced` (both path → content). A file that
 * must change or go is refused when its header is missing or its hash does not
 * match its content, unless `force`.
 */
export function planTree(
  existing: ReadonlyMap<string, string>,
  produced: ReadonlyMap<string, string>,
  force: boolean,
): Plan {
  const changes: Change[] = [];
  const unchanged: string[] = [];
  const refusals: Refusal[] = [];
  const paths = [...new Set([...existing.keys(), ...produced.keys()])].sort();

  for (const path of paths) {
    const before = existing.get(path);
    const after = produced.get(path);
    if (before === after) {
      unchanged.push(path);
      continue;
    }
    const kind: ChangeKind = before === undefined ? 'A' : after === undefined ? 'D' : 'M';
    changes.push({ kind, path });
    if (before === undefined || force) continue;
    const refusal = checkHandEdit(path, before, after === undefined ? undefined : chapterOf(after));
    if (refusal) refusals.push(refusal);
  }
  return { changes, unchanged, refusals };
}

/** The chapter named in the header of a generated file. */
function chapterOf(content: string): string | undefined {
  const header = readHeader(content);
  return header.kind === 'missing' ? undefined : header.chapter;
}

/** A refusal when `content` (of `path`) is not an untouched generated file. */
function checkHandEdit(path: string, content: string, producer: string | undefined): Refusal | undefined {
  const header = readHeader(content);
  if (header.kind === 'generated') return undefined;
  const chapter = producer ?? (header.kind === 'edited' ? header.chapter : undefined);
  const where = chapter ? `into ${chapter}` : 'into a chapter';
  const why = header.kind === 'edited' ? 'hash mismatch' : 'no generated header';
  return {
    path,
    message: `${path}: edited by hand since the last tangle (${why}); move your change ${where} or rerun with --force`,
  };
}
