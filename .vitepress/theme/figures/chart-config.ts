/**
 * A figure as a Chart.js configuration: pure (types only from chart.js), so
 * the test suite can check it without a canvas. The colours come in as a
 * `Palette` read from the theme's CSS variables, so a figure follows the
 * light or dark theme it is drawn in.
 */
import type {
  CartesianScaleTypeRegistry,
  ChartConfiguration,
  ChartDataset,
  ScaleOptionsByType,
  TooltipItem,
} from 'chart.js'
import type { AxisSpec, FigureData, FigureSpec, SeriesSpec } from './spec.ts'

/** The theme's colours and font, as CSS colour strings. */
export interface Palette {
  /** Axis titles and legend text. */
  text: string
  /** Tick labels. */
  muted: string
  /** Grid lines and axis borders. */
  grid: string
  /** Tooltip background. */
  surface: string
  font: string
  /** The series colours, in order. */
  series: string[]
}

/** `#rgb` / `#rrggbb` with an alpha; other colour strings are returned as they are. */
export function withAlpha(color: string, alpha: number): string {
  const hex = color.trim()
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex)
  if (!m) return color
  const digits = m[1]!.length === 3 ? [...m[1]!].map((d) => d + d).join('') : m[1]!
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(digits.slice(i, i + 2), 16))
  return `rgba(${r}, ${g}, ${b}, ${alpha})`
}

/** A line chart marks its points when it has at most this many. */
export const MARK_POINTS_UP_TO = 24

const DASH: Record<SeriesSpec['style'], number[]> = { solid: [], thin: [], dashed: [6, 4], dotted: [2, 3] }

type Scale = Partial<ScaleOptionsByType<keyof CartesianScaleTypeRegistry>>

/** A tick label: up to three significant digits, without trailing zeros (`0.5`, `10`, `1,000`). */
export const tickLabel = (value: number): string => value.toLocaleString('en-US', { maximumSignificantDigits: 3 })

/** A log axis labels only 1, 2 and 5 times a power of ten; the other ticks stay unlabelled. */
export function logTickLabel(value: number): string {
  if (!(value > 0)) return ''
  const mantissa = value / 10 ** Math.floor(Math.log10(value) + 1e-9)
  return [1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6) ? tickLabel(value) : ''
}

/** The marker of each series of a scatter chart, in turn: five, to pair anew with the six colours. */
export const MARKERS = ['circle', 'triangle', 'rect', 'rectRot', 'star'] as const

/**
 * One axis. An axis given a position (`y`, `y2`, a scatter chart's `x`) and no set maximum
 * gets a little room beyond the data.
 */
function scale(
  axis: AxisSpec,
  palette: Palette,
  base: 'linear' | 'category',
  position?: 'left' | 'right' | 'bottom',
): Scale {
  const type = base === 'category' ? 'category' : axis.log ? 'logarithmic' : 'linear'
  const options = {
    type,
    ...(position && { position }),
    ...(axis.min !== undefined && { min: axis.min }),
    ...(axis.max !== undefined && { max: axis.max }),
    title: { display: axis.label !== undefined, text: axis.label ?? '', color: palette.text, font: { size: 12 } },
    ...(position && axis.max === undefined && { grace: '4%' }),
    ticks: {
      color: palette.muted,
      font: { size: 11 },
      ...(type === 'linear' && { maxTicksLimit: 8, callback: (value: number | string) => tickLabel(Number(value)) }),
      ...(type === 'logarithmic' && { autoSkip: false, callback: (value: number | string) => logTickLabel(Number(value)) }),
    },
    grid: { color: palette.grid, drawOnChartArea: position !== 'right' },
    border: { color: palette.grid },
  }
  // Chart.js types each scale type's options separately; this object is valid for the type it names.
  return options as unknown as Scale
}

/** What every kind of chart shares: its frame, legend and tooltip, and the series' colours. */
function common(spec: FigureSpec, palette: Palette) {
  return {
    colorOf: (s: SeriesSpec) => palette.series[s.color % palette.series.length] ?? palette.text,
    frame: { responsive: true, maintainAspectRatio: false, animation: false, font: { family: palette.font } } as const,
    legend: {
      display: spec.series.length > 1,
      position: 'top' as const,
      align: 'start' as const,
      // A box of height 0 is a line, drawn with the series' dash and width.
      labels: { color: palette.text, boxWidth: 28, boxHeight: 0, padding: 14, font: { size: 12 } },
    },
    tooltip: {
      backgroundColor: palette.surface,
      titleColor: palette.text,
      bodyColor: palette.text,
      borderColor: palette.grid,
      borderWidth: 1,
      titleFont: { size: 12 },
      bodyFont: { size: 12 },
    },
  }
}

/** The Chart.js configuration of a figure whose data `figureData` resolved. */
export function chartConfig(
  spec: FigureSpec,
  data: FigureData,
  palette: Palette,
): ChartConfiguration<'line' | 'bar' | 'scatter'> {
  if (spec.kind === 'scatter') return scatterConfig(spec, data, palette)
  const { colorOf, frame, legend, tooltip } = common(spec, palette)

  if (spec.kind === 'bar') {
    const datasets: ChartDataset<'bar'>[] = spec.series.map((s, i) => ({
      label: s.label,
      data: data.series[i]!.y,
      backgroundColor: withAlpha(colorOf(s), 0.75),
      borderColor: colorOf(s),
      borderWidth: 1,
    }))
    return {
      type: 'bar',
      data: { labels: spec.categories ?? [], datasets },
      options: {
        ...frame,
        scales: { x: scale(spec.axes.x, palette, 'category'), y: scale(spec.axes.y, palette, 'linear', 'left') },
        plugins: {
          legend: { ...legend, labels: { ...legend.labels, boxWidth: 14, boxHeight: 12 } },
          tooltip: { ...tooltip, mode: 'index', intersect: false },
        },
      },
    } satisfies ChartConfiguration<'bar'>
  }

  const datasets: ChartDataset<'line'>[] = spec.series.map((s, i) => {
    const { x, y } = data.series[i]!
    const logAxis = s.axis === 'y2' ? spec.axes.y2?.log : spec.axes.y.log
    const color = colorOf(s)
    const thin = s.style === 'thin'
    const points = s.points ?? y.length <= MARK_POINTS_UP_TO
    return {
      label: s.label,
      // On a log axis a value ≤ 0 has no place: leave a gap.
      data: x.map((xi, j) => ({ x: xi, y: logAxis && y[j]! <= 0 ? null : y[j]! }) as { x: number; y: number }),
      yAxisID: s.axis,
      borderColor: thin ? withAlpha(color, 0.55) : color,
      backgroundColor: color,
      borderWidth: thin ? 1 : 2,
      borderDash: DASH[s.style],
      pointRadius: points ? 3 : 0,
      pointHoverRadius: 4,
      pointHitRadius: 6,
      tension: 0,
      spanGaps: false,
    }
  })
  const scales: Record<string, Scale> = {
    x: scale(spec.axes.x, palette, 'linear'),
    y: scale(spec.axes.y, palette, 'linear', 'left'),
  }
  if (spec.axes.y2) scales.y2 = scale(spec.axes.y2, palette, 'linear', 'right')
  return {
    type: 'line',
    data: { datasets },
    options: {
      ...frame,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales,
      plugins: { legend, tooltip },
    },
  } satisfies ChartConfiguration<'line'>
}

/** A scatter chart: each series' points as markers, no lines; a point ≤ 0 on a log axis is left out. */
function scatterConfig(spec: FigureSpec, data: FigureData, palette: Palette): ChartConfiguration<'scatter'> {
  const { colorOf, frame, legend, tooltip } = common(spec, palette)
  const { x: xAxis, y: yAxis } = spec.axes
  const shown = (p: { x: number; y: number }) => (!xAxis.log || p.x > 0) && (!yAxis.log || p.y > 0)
  const datasets: ChartDataset<'scatter'>[] = spec.series.map((s, i) => {
    const { x, y } = data.series[i]!
    const color = colorOf(s)
    return {
      label: s.label,
      data: x.map((xi, j) => ({ x: xi, y: y[j]! })).filter(shown),
      backgroundColor: withAlpha(color, 0.8),
      borderColor: color,
      borderWidth: 1.5,
      pointStyle: MARKERS[i % MARKERS.length],
      pointRadius: 5,
      pointHoverRadius: 7,
      pointHitRadius: 8,
      showLine: false,
    }
  })
  const point = (item: TooltipItem<'scatter'>) =>
    `${item.dataset.label ?? ''}: (${tickLabel(Number(item.parsed.x))}, ${tickLabel(Number(item.parsed.y))})`
  return {
    type: 'scatter',
    data: { datasets },
    options: {
      ...frame,
      scales: { x: scale(xAxis, palette, 'linear', 'bottom'), y: scale(yAxis, palette, 'linear', 'left') },
      plugins: {
        legend: { ...legend, labels: { ...legend.labels, usePointStyle: true, boxWidth: 10, boxHeight: 10 } },
        tooltip: { ...tooltip, mode: 'nearest', intersect: true, callbacks: { label: point } },
      },
    },
  }
}
