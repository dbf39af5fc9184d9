/**
 * Shared types of the tangler.
 */

/** A chapter as read from disk: its path relative to the root, and its text. */
export interface ChapterSource {
  /** Path relative to the book's root, POSIX separators: `chapters/01-rl-basics.md`. */
  path: string;
  /** The Markdown source. */
  source: string;
}

/** A problem in a chapter, at a place in it. */
export interface TangleError {
  /** Chapter path: `chapters/01-rl-basics.md`. */
  file: string;
  /** 1-based line in the chapter. */
  line: number;
  /** 1-based column, when it helps. */
  column?: number;
  message: string;
}

/** What a `ts` block is for. */
export type BlockMark =
  | { kind: 'file'; target: string }
  | { kind: 'chunk'; name: string }
  | { kind: 'read-only' };

/** A `ts` block of a chapter with its mark. */
export interface CodeBlock {
  /** Chapter path. */
  file: string;
  /** Line of the opening fence. */
  fenceLine: number;
  /** Line of the first code line (the fence line + 1). */
  line: number;
  /** The code, one entry per line. */
  lines: string[];
  mark: BlockMark;
}

/** The result of tangling the whole book in memory. */
export interface TangleResult {
  /** Generated `src/` files: path (`src/rl/gridworld.ts`) to content. */
  files: Map<string, string>;
  /** Type-check-only files: path (`.tangle/read-only/01-x/L12.ts`) to content. */
  readOnly: Map<string, string>;
  /** Every problem found; when non-empty, nothing may be written. */
  errors: TangleError[];
}
