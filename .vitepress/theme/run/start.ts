/**
 * Starting a chapter worker. A module of its own, imported when the reader
 * clicks Run, so that the worker (TensorFlow.js and the chapter's code, a few
 * megabytes) is never part of a page's initial load.
 */
import type { RunEvent, RunRequest } from './protocol.ts'

/** Start `request` in a new worker; `onEvents` receives its messages in order. Returns a stop function. */
export function startWorker(request: RunRequest, onEvents: (events: RunEvent[]) => void, onCrash: (message: string) => void): () => void {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'chapter' })
  worker.onmessage = (message: MessageEvent<RunEvent[]>) => onEvents(message.data)
  worker.onerror = (event: ErrorEvent) => {
    event.preventDefault()
    onCrash(event.message || 'the chapter worker failed to start')
  }
  worker.postMessage(request)
  return () => worker.terminate()
}
