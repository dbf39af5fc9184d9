/**
 * The live chart of a run: the statistics a training loop reports at each step
 * (`progress.tick({ loss })`), drawn as they arrive. Loaded with Chart.js only
 * once a loop reports its first statistic.
 */
import { CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js'
import { tickLabel } from '../figures/chart-config.ts'
import { readPalette } from '../figures/draw.ts'

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Tooltip)

/** One loop's statistics so far: the step of each report, and each statistic's values. */
export interface LoopSeries {
  label: string
  total: number
  steps: number[]
  stats: Map<string, number[]>
}

/** Draw `series` on `canvas`; call `update` after new points arrive, `destroy` when done. */
export function liveChart(canvas: HTMLCanvasElement): {
  show(series: LoopSeries): void
  update(): void
  destroy(): void
} {
  const palette = readPalette(canvas)
  Chart.defaults.font.family = palette.font
  let shown: LoopSeries | null = null
  const chart = new Chart(canvas, {
    type: 'line',
    data: { datasets: [] },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      plugins: {
        legend: { labels: { color: palette.text, boxHeight: 2 } },
        tooltip: { enabled: true, mode: 'index', intersect: false },
      },
      scales: {
        x: {
          type: 'linear',
          min: 0,
          title: { display: true, text: 'step', color: palette.text },
          ticks: { color: palette.muted, callback: (v) => tickLabel(Number(v)) },
          grid: { color: palette.grid },
        },
        y: { ticks: { color: palette.muted, callback: (v) => tickLabel(Number(v)) }, grid: { color: palette.grid } },
      },
    },
  })
  /** A statistic as points, thinned to at most ~400 so a long loop stays cheap to draw. */
  const points = (steps: number[], values: number[]) => {
    const stride = Math.max(1, Math.ceil(steps.length / 400))
    const out: { x: number; y: number }[] = []
    for (let i = 0; i < steps.length; i += stride) out.push({ x: steps[i]!, y: values[i]! })
    return out
  }
  const update = () => {
    if (!shown) return
    const series = shown
    chart.data.datasets = [...series.stats.entries()].map(([name, values], i) => ({
      label: name,
      data: points(series.steps, values),
      borderColor: palette.series[i % palette.series.length],
      backgroundColor: palette.series[i % palette.series.length],
      borderWidth: 1.5,
      pointRadius: 0,
      yAxisID: i === 0 ? 'y' : `y${i}`,
    }))
    // A second statistic (a KL beside a reward, say) gets its own axis on the right.
    for (let i = 1; i < series.stats.size; i++) {
      chart.options.scales![`y${i}`] = {
        position: 'right',
        display: i === 1,
        ticks: { color: palette.muted, callback: (v) => tickLabel(Number(v)) },
        grid: { drawOnChartArea: false },
      }
    }
    chart.options.scales!.x!.max = series.total
    chart.update('none')
  }
  return {
    show(series) {
      shown = series
      for (const key of Object.keys(chart.options.scales!)) if (/^y\d+$/.test(key)) delete chart.options.scales![key]
      update()
    },
    update,
    destroy: () => chart.destroy(),
  }
}
