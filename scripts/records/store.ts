/**
 * Recorded results: what each chapter's program returned, saved as JSON. The book's own
 * record, `chapters/public/results/NN-name.json`, is made on the backend the book is
 * verified on (`BOOK_BACKEND`); the site draws its figures from it, and claims in one
 * chapter may cite another chapter's (`@05-dpo:dpo.kl`). Records of other backends live
 * beside it, in `chapters/public/results/<backend>/`. Each chapter's test keeps the
 * record of the backend it runs on equal to what its program returns.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeWhole } from '../write-whole.ts';

/** The backend the book's numbers are recorded on, and the one its test command checks. */
export const BOOK_BACKEND = 'wasm';

/** A chapter's recorded results, and the backend that produced them. */
export interface RecordFile {
  chapter: string;
  backend: string;
  /** On the cpu backend: whose kernels computed the record, tfjs's own or the book's. */
  kernels?: 'tfjs' | 'book';
  results: unknown;
}

/** The folder of a backend's records; VitePress serves the book's as `/results/`. */
export function recordsDir(root: string, backend = BOOK_BACKEND): string {
  const dir = join(root, 'chapters', 'public', 'results');
  return backend === BOOK_BACKEND ? dir : join(dir, backend);
}

/** The record of chapter `name` (`05-dpo`, or a chapter path) on `backend`. */
export function recordPath(root: string, name: string, backend = BOOK_BACKEND): string {
  return join(recordsDir(root, backend), `${basename(name, '.md')}.json`);
}

/** The command that makes chapter `name`'s record on `backend`. */
export function recordCommand(name: string, backend = BOOK_BACKEND): string {
  const flag = backend === BOOK_BACKEND ? '' : ` --backend ${backend}`;
  return `pnpm record ${basename(name, '.md')}${flag}`;
}

/** The record of chapter `name` on `backend`; throws a message naming the command that makes it. */
export function readRecord(root: string, name: string, backend = BOOK_BACKEND): RecordFile {
  const path = recordPath(root, name, backend);
  const chapter = basename(name, '.md');
  if (!existsSync(path)) throw new Error(`no recorded results for ${chapter} on ${backend}: run ${recordCommand(chapter, backend)}`);
  const record = JSON.parse(readFileSync(path, 'utf8')) as RecordFile;
  if (typeof record.backend !== 'string' || !('results' in record)) throw new Error(`${path} is not a record (no backend or results)`);
  return record;
}

/** Write a record (in its backend's folder) whole or not at all. */
export function writeRecord(root: string, record: RecordFile): string {
  const path = recordPath(root, record.chapter, record.backend);
  writeWhole(path, `${JSON.stringify(record, null, 1)}\n`);
  return path;
}
