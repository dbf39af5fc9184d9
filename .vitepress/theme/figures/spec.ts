/**
 * Figures: what a figure draws, and the numbers it draws, taken from chapters'
 * recorded results (`chapters/public/results/NN-name.json`, served as `/results/`).
 *
 * A chapter writes a figure as a fenced block, ` ```yaml figure ` (see
 * `.vitepress/markdown/figures.ts`, which reads it into a `FigureSpec` at build
 * time). This module is what both sides share: the spec's shape, and
 * `figureData`, which follows the spec's paths into the records with the claim
 * checker's own `parseReference` and `lookup` (`scripts/claims/`), so a figure's
 * `reinforce.curve` means exactly what a claim's `@reinforce.curve` means, and its
 * `04-on-off-policy:ppo.kl` what `@04-on-off-policy:ppo.kl` means: that chapter's
 * record. It is pure: the browser runs it on the fetched records, the test suite
 * on the records on disk.
 */
import { parseReference } from '../../../scripts/claims/claim.ts'
import { lookup } from '../../../scripts/claims/lookup.ts'

/**
 * Where a series' numbers are: one path to an array of numbers (`reinforce.curve`),
 * or a list of paths, each to one number (`[sft.score, dpo.score]`). A path is as
 * written: `05-dpo:dpo.score` reads chapter 05's record, `dpo.score` the figure's own.
 */
export type DataRef =
  | { kind: 'array'; path: string; line: number }
  | { kind: 'points'; paths: string[]; line: number }

export type FigureKind = 'line' | 'bar' | 'scatter'
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
  /** Line charts: this series' own x values, when they are not the figure's. Scatter: its points' x. */
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
  /** Whose recorded results a path without a chapter reads: `01-rl-basics`. */
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
  /** Line and scatter charts: one x per y. Bar charts: empty. */
  x: number[]
  y: number[]
}

export interface FigureData {
  series: SeriesData[]
}

export type FigureDataResult = { ok: true; data: FigureData } | { ok: false; errors: string[] }

/** The site path of a chapter's record (pass it through VitePress's `withBase`). */
export const recordPath = (chapter: string): string => `/results/${chapter}.json`

/** The results of the records a figure reads, by chapter: `05-dpo` → its record's `results`. */
export type Records = ReadonlyMap<string, unknown>

/** The chapter and path a written path reads: `05-dpo:dpo.kl`, or `dpo.kl` in `own`'s record. */
export function readTarget(written: string, own: string): { chapter: string; path: string } {
  const read = parseReference(written)
  if (!read.ok) throw new Error(read.message)
  return { chapter: read.reference.chapter ?? own, path: read.reference.path }
}

/** The paths a ref reads, as written. */
const pathsOf = (ref: DataRef): string[] => (ref.kind === 'array' ? [ref.path] : ref.paths)

/** Every ref of a spec: the figure's x, then each series' y and x. */
export function specRefs(spec: FigureSpec): DataRef[] {
  const refs = spec.x ? [spec.x] : []
  for (const s of spec.series) refs.push(s.y, ...(s.x ? [s.x] : []))
  return refs
}

/** Each chapter whose record `spec` reads, with the chapter line of the first ref that reads it. */
export function chapterLines(spec: FigureSpec): Map<string, number> {
  const lines = new Map<string, number>()
  for (const ref of specRefs(spec)) {
    for (const p of pathsOf(ref)) {
      const { chapter } = readTarget(p, spec.chapter)
      if (!lines.has(chapter)) lines.set(chapter, ref.line)
    }
  }
  return lines
}

/** Each chapter whose record `spec` reads, in the order the spec first names them. */
export const figureChapters = (spec: FigureSpec): string[] => [...chapterLines(spec).keys()]

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

/** The value at a written path in `records`; `own` is the chapter a path without one reads. Throws. */
function valueAt(written: string, records: Records, own: string): unknown {
  const { chapter, path } = readTarget(written, own)
  if (!records.has(chapter)) throw new Error(`${written}: no record of ${chapter} to read`)
  try {
    return lookup(records.get(chapter), path)
  } catch (error) {
    const where = chapter === own ? '' : ` (in the recorded results of ${chapter})`
    throw new Error(`${(error as Error).message}${where}`)
  }
}

/**
 * The numbers `ref` points at in `records`, or a message saying why there are none.
 * `own`: the chapter whose record a path without a chapter reads.
 */
export function resolveRef(
  ref: DataRef,
  records: Records,
  own: string,
): { ok: true; values: number[] } | { ok: false; message: string } {
  try {
    if (ref.kind === 'array') {
      const value = valueAt(ref.path, records, own)
      if (!Array.isArray(value) || !value.every(isNumber)) {
        return { ok: false, message: `${ref.path} is not an array of numbers (it is ${describe(value)})` }
      }
      return { ok: true, values: value }
    }
    const values: number[] = []
    for (const path of ref.paths) {
      const value = valueAt(path, records, own)
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
 * Follow every path of `spec` into the `records` it reads (`figureChapters`). Fails,
 * with every problem as `file:line: figure: …`, when a record is not there, a path is
 * not in its record, does not lead to numbers, or gives a series of the wrong length.
 */
export function figureData(spec: FigureSpec, records: Records): FigureDataResult {
  const errors: string[] = []
  const where = (line: number) => `${spec.file}:${line}: figure (${spec.chapter})`
  const read = (ref: DataRef): number[] | undefined => {
    const got = resolveRef(ref, records, spec.chapter)
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
