/**
 * Figures: what a figure draws, and the numbers it draws, taken from a chapter's
 * recorded results (`chapters/public/results/NN-name.json`, served as `/results/`).
 *
 * A chapter writes a figure as a fenced block, ` ```yaml figure ` (see
 * `.vitepress/markdown/figures.ts`, which reads it into a `FigureSpec` at build
 * time). This module is what both sides share: the spec's shape, and
 * `figureData`, which follows the spec's paths into a record with the claim
 * checker's own `lookup` (`scripts/claims/`), so a figure's `reinforce.curve`
 * means exactly what a claim's `@reinforce.curve` means. It is pure: the browser
 * runs it on the fetched record, the test suite on the record on disk.
 */
import { lookup } from '../../../scripts/claims/lookup.ts'

/**
 * Where a series' numbers are: one path to an array of numbers (`reinforce.curve`),
 * or a list of paths, each to one number (`[sft.score, dpo.score]`).
 */
export type DataRef =
  | { kind: 'array'; path: string; line: number }
  | { kind: 'points'; paths: string[]; line: number }

export type FigureKind = 'line' | 'bar'
export type SeriesStyle = 'solid' | 'dashed' | 'dotted' | 'thin'
export type AxisId = 'y' | 'y2'

export interface AxisSpec {
  label?: string
  min?: number
  max?: number
  /** A logarithmic axis; values that are not positive are left out (a gap in the line). */
  log: boolean
}

export interface SeriesSpec {
  label: string
  y: DataRef
  /** Line charts: this series' own x values, when they are not the figure's. */
  x?: DataRef
  /** `y2` is the right-hand axis. */
  axis: AxisId
  style: SeriesStyle
  /** Index into the palette (`--rlhf-figure-1` is 0); by default the series' position. */
  color: number
  /** Markers at the data points; by default when a line has few points. */
  points?: boolean
  /** The line of the chapter that defines the series, for messages. */
  line: number
}

export interface FigureSpec {
  /** The chapter file and line the figure is written at, for messages: `chapters/01-rl-basics.md`. */
  file: string
  line: number
  /** Whose recorded results it draws: `01-rl-basics`. */
  chapter: string
  kind: FigureKind
  /** Line charts: the x values of every series (default 0, 1, 2, … shifted by `xFrom`, spaced by `xStep`). */
  x?: DataRef
  xFrom: number
  /** The spacing of the default x values (1 if not given): 10 for a curve kept every tenth step. */
  xStep?: number
  /** Bar charts: the label of each group of bars. */
  categories?: string[]
  axes: { x: AxisSpec; y: AxisSpec; y2?: AxisSpec }
  series: SeriesSpec[]
  /** The plot's height in CSS pixels. */
  height: number
}

/** A series with its numbers. */
export interface SeriesData {
  label: string
  /** Line charts: one x per y. Bar charts: empty. */
  x: number[]
  y: number[]
}

export interface FigureData {
  series: SeriesData[]
}

export type FigureDataResult = { ok: true; data: FigureData } | { ok: false; errors: string[] }

/** The site path of a chapter's record (pass it through VitePress's `withBase`). */
export const recordPath = (chapter: string): string => `/results/${chapter}.json`

/** A short description of a value, for messages. */
function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) {
    const bad = value.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v))
    return bad < 0 ? `an array of ${value.length} numbers` : `an array whose item ${bad} is ${describe(value[bad])}`
  }
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  return `${typeof value} ${String(value)}`
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)

/** The numbers `ref` points at in `results`, or a message saying why there are none. */
export function resolveRef(ref: DataRef, results: unknown): { ok: true; values: number[] } | { ok: false; message: string } {
  try {
    if (ref.kind === 'array') {
      const value = lookup(results, ref.path)
      if (!Array.isArray(value) || !value.every(isNumber)) {
        return { ok: false, message: `${ref.path} is not an array of numbers (it is ${describe(value)})` }
      }
      return { ok: true, values: value }
    }
    const values: number[] = []
    for (const path of ref.paths) {
      const value = lookup(results, path)
      if (!isNumber(value)) return { ok: false, message: `${path} is not a number (it is ${describe(value)})` }
      values.push(value)
    }
    return { ok: true, values }
  } catch (error) {
    return { ok: false, message: (error as Error).message }
  }
}

/** What a ref reads, for messages: `reinforce.curve`, `[a, b]`. */
export const refText = (ref: DataRef): string => (ref.kind === 'array' ? ref.path : `[${ref.paths.join(', ')}]`)

/**
 * Follow every path of `spec` into a chapter's `results`. Fails, with every
 * problem as `file:line: figure: …`, when a path is not in the results, does
 * not lead to numbers, or gives a series of the wrong length.
 */
export function figureData(spec: FigureSpec, results: unknown): FigureDataResult {
  const errors: string[] = []
  const where = (line: number) => `${spec.file}:${line}: figure (${spec.chapter})`
  const read = (ref: DataRef): number[] | undefined => {
    const got = resolveRef(ref, results)
    if (got.ok) return got.values
    errors.push(`${where(ref.line)}: ${got.message}`)
    return undefined
  }
  const sharedX = spec.kind === 'line' && spec.x ? read(spec.x) : undefined
  const series: SeriesData[] = []
  for (const s of spec.series) {
    const y = read(s.y)
    if (!y) continue
    if (spec.kind === 'bar') {
      const n = spec.categories?.length ?? 0
      if (y.length !== n) {
        errors.push(`${where(s.line)}: series "${s.label}" has ${y.length} values (${refText(s.y)}) for ${n} categories`)
        continue
      }
      series.push({ label: s.label, x: [], y })
      continue
    }
    let x: number[] | undefined
    if (s.x) x = read(s.x)
    else if (spec.x) x = sharedX
    else x = y.map((_, i) => spec.xFrom + i * (spec.xStep ?? 1))
    if (!x) continue
    if (x.length !== y.length) {
      const xRef = s.x ?? spec.x!
      errors.push(
        `${where(s.line)}: series "${s.label}" has ${y.length} values (${refText(s.y)}) ` +
          `but its x has ${x.length} (${refText(xRef)})`,
      )
      continue
    }
    series.push({ label: s.label, x, y })
  }
  return errors.length ? { ok: false, errors } : { ok: true, data: { series } }
}
