/**
 * A figure as a Chart.js configuration: pure (types only from chart.js), so
 * the test suite can check it without a canvas. The colours come in as a
 * `Palette` read from the theme's CSS variables, so a figure follows the
 * light or dark theme it is drawn in.
 */
import type { ChartConfiguration, ChartDataset, ScaleOptionsByType, CartesianScaleTypeRegistry } from 'chart.js'
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

/** One axis. A value axis (`y`, `y2`) without a set maximum gets a little headroom above the data. */
function scale(axis: AxisSpec, palette: Palette, base: 'linear' | 'category', position?: 'left' | 'right'): Scale {
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

/** The Chart.js configuration of a figure whose data `figureData` resolved. */
export function chartConfig(spec: FigureSpec, data: FigureData, palette: Palette): ChartConfiguration<'line' | 'bar'> {
  const colorOf = (s: SeriesSpec) => palette.series[s.color % palette.series.length] ?? palette.text
  const legend = {
    display: spec.series.length > 1,
    position: 'top' as const,
    align: 'start' as const,
    // A box of height 0 is a line, drawn with the series' dash and width.
    labels: { color: palette.text, boxWidth: 28, boxHeight: 0, padding: 14, font: { size: 12 } },
  }
  const tooltip = {
    backgroundColor: palette.surface,
    titleColor: palette.text,
    bodyColor: palette.text,
    borderColor: palette.grid,
    borderWidth: 1,
    titleFont: { size: 12 },
    bodyFont: { size: 12 },
  }

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
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        font: { family: palette.font },
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
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      font: { family: palette.font },
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales,
      plugins: { legend, tooltip },
    },
  } satisfies ChartConfiguration<'line'>
}
