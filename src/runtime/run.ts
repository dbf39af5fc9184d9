// TEMPORARY hand-written stand-in: chapter 00 will own this file once the tangler exists.
/** What a chapter's program returns: the numbers (and a few labels) its prose claims. */
export type Value = number | string | boolean | Value[] | { [key: string]: Value };
export type Results = { [key: string]: Value };

/** A loop's progress: a bar on a terminal, nothing in tests. */
export interface Progress {
  tick(stats?: Record<string, number>): void;
  done(): void;
}

/** The world a chapter's program runs in: where its output and progress go. */
export interface Run {
  log(line: string): void;
  progress(label: string, total: number): Progress;
}

export type ChapterMain = (run: Run) => Promise<Results>;
