/**
 * The tangler: literate chapters (`chapters/*.md`) to code (`src/`).
 */
export { tangle, tangleChapter } from './core.ts';
export { formatError } from './errors.ts';
export { readHeader, withHeader, hashOf, type HeaderState } from './header.ts';
export { readChapters, readTree } from './fs.ts';
export { planTree, type Change, type ChangeKind, type Plan, type Refusal } from './plan.ts';
export { readOnlyPath, readOnlyDirectory, checkTarget } from './paths.ts';
export {
  checkSource,
  emitReadOnly,
  sourceDirectory,
  tangleBook,
  tangleToDisk,
  type Report,
  type TangleOptions,
} from './run.ts';
export { annotateDiagnostic } from './annotate.ts';
export { whereIn, whereIs, formatPlace, type ChapterPlace } from './where.ts';
export { parseMarkdown } from './markdown.ts';
export type { BlockMark, ChapterSource, CodeBlock, TangleError, TangleResult } from './types.ts';
