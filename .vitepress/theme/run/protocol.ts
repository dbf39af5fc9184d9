/**
 * What the page and the chapter worker say to each other.
 *
 * The page starts a worker per run and posts one `RunRequest`; the worker answers
 * with a stream of `RunEvent`s and ends with `results` or `failed`. Every message
 * is plain data (structured-clone safe): a chapter's `Results` already are.
 */
import type { Results } from '../../../src/runtime/run.ts'

/** The backends a reader may pick in a browser; the tests check the book's numbers on the first two. */
export const BROWSER_BACKENDS = ['wasm', 'cpu', 'webgl'] as const
export type BrowserBackend = (typeof BROWSER_BACKENDS)[number]

/**
 * Page → worker: run chapter `chapter` (its file name without `.md`) on `backend`.
 * `checkpoints` are the URLs of the book's checkpoints (by key) that the site's own code
 * made: the worker fetches those of its backend and offers them as `run.keep`.
 */
export interface RunRequest {
  chapter: string
  backend: BrowserBackend
  checkpoints: Record<string, string>
}

/** Worker → page. `loop` numbers a progress loop of this run, from 0. */
export type RunEvent =
  | { type: 'started'; backend: string }
  | { type: 'log'; lines: string[] }
  | { type: 'loop'; loop: number; label: string; total: number }
  /** The loop has done `value` steps; `points` are the statistics steps reported since the last `ticks`. */
  | { type: 'ticks'; loop: number; value: number; points: { step: number; stats: Record<string, number> }[] }
  | { type: 'loopDone'; loop: number }
  /** `kept`: the checkpoints the program used instead of computing them, by key. */
  | { type: 'results'; results: Results; seconds: number; backend: string; kept: string[] }
  | { type: 'failed'; message: string }
