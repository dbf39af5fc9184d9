/**
 * The tangler's pure core: chapters in, generated files and errors out. No
 * file system here; see `fs.ts` and `run.ts` for that.
 */
import { readBlocks } from './blocks.ts';
import { sortErrors } from './errors.ts';
import { expand, type ExpandContext } from './expand.ts';
import { withHeader } from './header.ts';
import { marker } from './marker.ts';
import { readOnlyPath } from './paths.ts';
import type { ChapterSource, CodeBlock, TangleError, TangleResult } from './types.ts';

/** Tangle the whole book. Chapters are taken in the order given. */
export function tangle(chapters: readonly ChapterSource[]): TangleResult {
  const files = new Map<string, string>();
  const readOnly = new Map<string, string>();
  const errors: TangleError[] = [];
  /** Target file → its first block, to detect two chapters writing one file. */
  const owners = new Map<string, CodeBlock>();

  for (const chapter of chapters) {
    const result = tangleChapter(chapter);
    errors.push(...result.errors);
    for (const [target, { first, content }] of result.files) {
      const owner = owners.get(target);
      if (owner) {
        errors.push({
          file: chapter.path,
          line: first.fenceLine,
          message: `${target} is also written by ${owner.file}:${owner.fenceLine}; a file belongs to one chapter`,
        });
        continue;
      }
      owners.set(target, first);
      files.set(target, content);
    }
    for (const [path, content] of result.readOnly) readOnly.set(path, content);
  }

  errors.push(...nestedTargets(owners), ...caseCollisions(owners));
  return { files: sorted(files), readOnly: sorted(readOnly), errors: sortErrors(errors) };
}

/**
 * A target below another target (`src/a.ts/b.ts` and `src/a.ts`) cannot be
 * written: one path would be both a file and a directory.
 */
function nestedTargets(owners: ReadonlyMap<string, CodeBlock>): TangleError[] {
  const errors: TangleError[] = [];
  for (const [target, block] of owners) {
    const parts = target.split('/');
    for (let length = 1; length < parts.length; length++) {
      const above = parts.slice(0, length).join('/');
      const owner = owners.get(above);
      if (!owner) continue;
      errors.push({
        file: block.file,
        line: block.fenceLine,
        message: `${target} lies below ${above}, which ${owner.file}:${owner.fenceLine} writes as a file`,
      });
    }
  }
  return errors;
}

/**
 * Two targets that differ only in case (`src/Policy.ts`, `src/policy.ts`) are one file
 * on the file systems of macOS and Windows: the second would overwrite the first. The
 * same holds for a directory on the way (`src/PPO/a.ts`, `src/ppo/b.ts`).
 */
function caseCollisions(owners: ReadonlyMap<string, CodeBlock>): TangleError[] {
  const errors: TangleError[] = [];
  const seen = new Map<string, string>(); // lower-case prefix → first spelling
  for (const [target, block] of owners) {
    const parts = target.split('/');
    for (let length = 2; length <= parts.length; length++) {
      const prefix = parts.slice(0, length).join('/');
      const first = seen.get(prefix.toLowerCase());
      if (first === undefined) seen.set(prefix.toLowerCase(), prefix);
      else if (first !== prefix) {
        errors.push({
          file: block.file,
          line: block.fenceLine,
          message: `${target}: ${prefix} and ${first} differ only in case, one path where case does not count`,
        });
        break;
      }
    }
  }
  return errors;
}

/** What one chapter produces. */
interface ChapterOutput {
  files: Map<string, { first: CodeBlock; content: string }>;
  readOnly: Map<string, string>;
  errors: TangleError[];
}

/** Tangle one chapter on its own (chunks are local to a chapter). */
export function tangleChapter(chapter: ChapterSource): ChapterOutput {
  const { blocks, errors } = readBlocks(chapter);
  const context: ExpandContext = {
    chapter: chapter.path,
    chunks: collectChunks(blocks, errors),
    used: new Set(),
    errors,
  };

  /** Target → expanded sections (marker + code) in reading order. */
  const sections = new Map<string, { first: CodeBlock; parts: string[] }>();
  const readOnly = new Map<string, string>();

  for (const block of blocks) {
    if (block.mark.kind === 'chunk') continue;
    const section = render(context, block);
    if (block.mark.kind === 'read-only') {
      readOnly.set(readOnlyPath(chapter.path, block.line), fileOf(chapter.path, [section], true));
      continue;
    }
    const existing = sections.get(block.mark.target);
    if (existing) existing.parts.push(section);
    else sections.set(block.mark.target, { first: block, parts: [section] });
  }

  reportUnused(context, blocks);

  const files = new Map<string, { first: CodeBlock; content: string }>();
  for (const [target, { first, parts }] of sections) {
    files.set(target, { first, content: fileOf(chapter.path, parts, false) });
  }
  return { files, readOnly, errors };
}

/** Chunks by name; a second definition is an error and is ignored. */
function collectChunks(blocks: readonly CodeBlock[], errors: TangleError[]): Map<string, CodeBlock> {
  const chunks = new Map<string, CodeBlock>();
  for (const block of blocks) {
    if (block.mark.kind !== 'chunk') continue;
    const first = chunks.get(block.mark.name);
    if (first) {
      errors.push({
        file: block.file,
        line: block.fenceLine,
        message: `chunk "${block.mark.name}" is defined twice: here and at ${first.file}:${first.fenceLine}`,
      });
      continue;
    }
    chunks.set(block.mark.name, block);
  }
  return chunks;
}

/** A block's marker and expanded code. */
function render(context: ExpandContext, block: CodeBlock): string {
  return [marker(context.chapter, block.line), ...expand(context, block.lines, block.line)].join('\n');
}

/**
 * Report chunks that nothing expands. Unused chunks are still expanded (and
 * the result thrown away) so that problems inside them are reported too.
 */
function reportUnused(context: ExpandContext, blocks: readonly CodeBlock[]): void {
  const reached = new Set(context.used);
  for (const block of blocks) {
    if (block.mark.kind !== 'chunk' || reached.has(block.mark.name)) continue;
    if (context.chunks.get(block.mark.name) !== block) continue; // a duplicate
    context.errors.push({
      file: block.file,
      line: block.fenceLine,
      message: `chunk "${block.mark.name}" is never used: reference it with // <<${block.mark.name}>>`,
    });
    expand(context, block.lines, block.line, [block.mark.name]);
  }
}

/**
 * A whole generated file: header, then the sections separated by blank
 * lines. Read-only files end with `export {}` so that each is a module.
 */
function fileOf(chapter: string, sections: readonly string[], readOnly: boolean): string {
  const tail = readOnly ? '\n\nexport {}; // added by the tangler: makes this block a module' : '';
  return withHeader(chapter, `\n${sections.join('\n\n')}${tail}\n`);
}

/** A copy of `map` with keys in code-point order, for deterministic output. */
function sorted<V>(map: Map<string, V>): Map<string, V> {
  return new Map([...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
