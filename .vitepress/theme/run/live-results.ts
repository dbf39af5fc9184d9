/**
 * Results of runs made in this browser, by chapter: the Run box publishes a finished
 * run's results here, and the chapter's figures redraw from them instead of from the
 * recorded run. Kept for the page session only.
 */
export interface LiveRun {
  results: unknown
  backend: string
}

const runs = new Map<string, LiveRun>()
const listeners = new Set<(chapter: string) => void>()

/** The latest run of `chapter` in this browser, if any. */
export const liveRun = (chapter: string): LiveRun | undefined => runs.get(chapter)

/** Publish (or, with `undefined`, withdraw) the run of `chapter`. */
export function setLiveRun(chapter: string, run: LiveRun | undefined): void {
  if (run) runs.set(chapter, run)
  else runs.delete(chapter)
  for (const listener of listeners) listener(chapter)
}

/** Call `listener` with the chapter whenever a run is published or withdrawn; returns the unsubscribe. */
export function onLiveRun(listener: (chapter: string) => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}
