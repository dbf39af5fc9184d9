/**
 * The chapter worker: runs one chapter's own tangled program, `src/chapters/NN-name.ts`,
 * in a Web Worker, and streams what it prints and how far its loops are.
 *
 * The program is the one the tests run: only the edges differ. Here the `Run` posts
 * messages instead of writing to a terminal, and the backend is chosen by the page
 * (`preferBackend`) instead of an environment variable. The chapter's training loops are
 * synchronous, so messages are batched and posted at most every `FLUSH_MS` from inside
 * them; the page receives them while the worker keeps computing.
 */
/// <reference lib="webworker" />
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url'
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url'
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url'
import { preferBackend, useBackend } from '../../../src/runtime/backend.ts'
import type { ChapterMain, Keep, Run, Value } from '../../../src/runtime/run.ts'
import type { RunEvent, RunRequest } from './protocol.ts'

/** Every chapter's program, loaded only when its chapter runs. */
const programs = import.meta.glob<{ main: ChapterMain }>('../../../src/chapters/*.ts')

const FLUSH_MS = 100

const scope = self as unknown as DedicatedWorkerGlobalScope
let pending: RunEvent[] = []
let lastFlush = 0

function flush(): void {
  if (pending.length) scope.postMessage(pending)
  pending = []
  lastFlush = performance.now()
}

/** Queue an event; post the queue if it is older than `FLUSH_MS` (or `now` is set). */
function send(event: RunEvent, now = false): void {
  const last = pending.at(-1)
  if (event.type === 'log' && last?.type === 'log') last.lines.push(...event.lines)
  else if (event.type === 'ticks' && last?.type === 'ticks' && last.loop === event.loop) {
    last.value = event.value
    last.points.push(...event.points)
  } else pending.push(event)
  if (now || performance.now() - lastFlush >= FLUSH_MS) flush()
}

/**
 * The book's checkpoints made on `backend` (keys like `base-models-wasm-1`), fetched, as a
 * read-only `Keep` that notes which keys the program `used`. What a chapter would write
 * is dropped: the next run starts from the checkpoints again. (Their digests were checked
 * when the site was built: only sound checkpoints are listed.)
 */
async function checkpointKeep(urls: Record<string, string>, backend: string): Promise<Keep & { used: string[] }> {
  const kept = new Map<string, Value>()
  for (const [key, url] of Object.entries(urls)) {
    if (!key.split('-').includes(backend)) continue
    const response = await fetch(url)
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`)
    kept.set(key, ((await response.json()) as { value: Value }).value)
  }
  const used: string[] = []
  return {
    used,
    read: (key, decode) => {
      const value = kept.get(key)
      if (value === undefined) return undefined
      try {
        const decoded = decode(value)
        if (!used.includes(key)) used.push(key)
        return decoded
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error)
        console.warn(`${key}: ${urls[key]} is not a valid checkpoint (${reason}); computing it again`)
        return undefined
      }
    },
    write: () => {},
  }
}

/** The `Run` of a chapter in the browser: output and progress become messages. */
function workerRun(keep: Keep): Run {
  let loops = 0
  return {
    keep,
    log: (line) => send({ type: 'log', lines: line.split('\n') }),
    progress: (label, total) => {
      const loop = loops++
      let value = 0
      send({ type: 'loop', loop, label, total }, true)
      return {
        tick: (stats) => {
          value += 1
          send({ type: 'ticks', loop, value, points: stats ? [{ step: value, stats: { ...stats } }] : [] })
        },
        done: () => send({ type: 'loopDone', loop }, true),
      }
    },
  }
}

async function runChapter({ chapter, backend, checkpoints }: RunRequest): Promise<void> {
  const load = programs[`../../../src/chapters/${chapter}.ts`]
  if (!load) throw new Error(`no program for chapter ${chapter}`)
  // The wasm binaries are served beside the site's other assets.
  setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmPlain,
    'tfjs-backend-wasm-simd.wasm': wasmSimd,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
  })
  preferBackend(backend)
  const started = await useBackend()
  send({ type: 'started', backend: started }, true)
  const keep = await checkpointKeep(checkpoints, started)
  const { main } = await load()
  const start = performance.now()
  const results = await main(workerRun(keep))
  const seconds = (performance.now() - start) / 1000
  send({ type: 'results', results, seconds, backend: started, kept: keep.used }, true)
}

scope.onmessage = (message: MessageEvent<RunRequest>) => {
  runChapter(message.data).catch((error: unknown) => {
    const message = error instanceof Error ? `${error.message}` : String(error)
    send({ type: 'failed', message }, true)
  })
}
