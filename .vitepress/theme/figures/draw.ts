/**
 * Drawing a figure in the browser: fetch the records it reads, resolve the
 * figure's paths (`figureData`), and hand Chart.js a configuration in the
 * theme's colours. `ResultFigure.vue` imports this module only when a figure
 * scrolls into view, so Chart.js stays out of every page's initial load and
 * out of pages without figures.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
} from 'chart.js'
import { chartConfig, type Palette } from './chart-config.ts'
import { figureData, type FigureSpec, type Records } from './spec.ts'

Chart.register(
  LineController,
  LineElement,
  PointElement,
  BarController,
  BarElement,
  ScatterController,
  LinearScale,
  LogarithmicScale,
  CategoryScale,
  Legend,
  Tooltip,
)

/** A chapter's record as the site serves it (see `scripts/records/`). */
export interface SiteRecord {
  backend: string
  results: unknown
}

/** One fetch per record per page load, however many figures draw from it. */
const records = new Map<string, Promise<SiteRecord>>()

/** The record at `url`. */
export function fetchRecord(url: string): Promise<SiteRecord> {
  let pending = records.get(url)
  if (!pending) {
    pending = fetch(url).then(async (response) => {
      if (!response.ok) throw new Error(`cannot load ${url} (HTTP ${response.status}): run pnpm record for this chapter`)
      const record = (await response.json()) as Partial<SiteRecord> | null
      if (!record || typeof record !== 'object' || !('results' in record)) throw new Error(`${url} is not a record`)
      return { backend: typeof record.backend === 'string' ? record.backend : 'unknown', results: record.results }
    })
    pending.catch(() => records.delete(url))
    records.set(url, pending)
  }
  return pending
}

/** The theme's colours, read from CSS variables where the figure is (so dark mode applies). */
export function readPalette(element: Element): Palette {
  const style = getComputedStyle(element)
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback
  const series: string[] = []
  for (let i = 1; ; i++) {
    const color = style.getPropertyValue(`--rlhf-figure-${i}`).trim()
    if (!color) break
    series.push(color)
  }
  return {
    text: read('--vp-c-text-1', '#3c3c43'),
    muted: read('--vp-c-text-2', '#67676c'),
    grid: read('--vp-c-divider', '#e2e2e3'),
    surface: read('--vp-c-bg-elv', '#ffffff'),
    font: read('--vp-font-family-base', 'sans-serif'),
    series: series.length ? series : ['#0072b2', '#d55e00', '#009e73', '#cc79a7'],
  }
}

/** Where a figure's numbers come from, by chapter: a record's URL, or results in hand (a run here). */
export type Sources = ReadonlyMap<string, string | SiteRecord>

/**
 * Draw `spec` on `canvas` from its `sources` (one for each of `figureChapters(spec)`): the
 * chart, and the backend that produced each chapter's numbers. Throws an Error saying what
 * is wrong.
 */
export async function drawFigure(
  canvas: HTMLCanvasElement,
  spec: FigureSpec,
  sources: Sources,
): Promise<{ chart: Chart; backends: ReadonlyMap<string, string> }> {
  const read = async ([chapter, source]: [string, string | SiteRecord]) =>
    [chapter, typeof source === 'string' ? await fetchRecord(source) : source] as const
  const records = new Map(await Promise.all([...sources].map(read)))
  const results: Records = new Map([...records].map(([chapter, r]) => [chapter, r.results]))
  const resolved = figureData(spec, results)
  if (!resolved.ok) throw new Error(resolved.errors.join('\n'))
  const palette = readPalette(canvas)
  Chart.defaults.font.family = palette.font
  const backends = new Map([...records].map(([chapter, r]) => [chapter, r.backend]))
  return { chart: new Chart(canvas, chartConfig(spec, resolved.data, palette)), backends }
}

export type { Chart }
