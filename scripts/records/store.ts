/**
 * Recorded results: what each chapter's program returned, saved as JSON in
 * `chapters/public/results/NN-name.json`. The site draws its figures from
 * them, and claims in one chapter may cite another chapter's (`@05-dpo:dpo.kl`).
 * Each chapter's test keeps its record equal to what its program returns.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeWhole } from '../write-whole.ts';

/** A chapter's recorded results, and the backend that produced them. */
export interface RecordFile {
  chapter: string;
  backend: string;
  results: unknown;
}

/** The folder of the records; VitePress serves it as `/results/`. */
export function recordsDir(root: string): string {
  return join(root, 'chapters', 'public', 'results');
}

/** The record of chapter `name` (`05-dpo`, or a chapter path). */
export function recordPath(root: string, name: string): string {
  return join(recordsDir(root), `${basename(name, '.md')}.json`);
}

/** The record of chapter `name`; throws a message naming the command that makes it. */
export function readRecord(root: string, name: string): RecordFile {
  const path = recordPath(root, name);
  const chapter = basename(name, '.md');
  if (!existsSync(path)) throw new Error(`no recorded results for ${chapter}: run pnpm record ${chapter}`);
  const record = JSON.parse(readFileSync(path, 'utf8')) as RecordFile;
  if (typeof record.backend !== 'string' || !('results' in record)) throw new Error(`${path} is not a record (no backend or results)`);
  return record;
}

/** Write a record whole or not at all. */
export function writeRecord(root: string, record: RecordFile): string {
  const path = recordPath(root, record.chapter);
  writeWhole(path, `${JSON.stringify(record, null, 1)}\n`);
  return path;
}
