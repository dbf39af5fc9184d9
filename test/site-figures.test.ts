import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkClaim, readChecks } from '../scripts/claims/index.ts'
import { readRecord } from '../scripts/records/index.ts'
import {
  chapterOf,
  findFigures,
  isFigureInfo,
  parseFigure,
  renderFigure,
  type Figure,
} from '../.vitepress/markdown/figures.ts'
import {
  chapterLines,
  figureChapters,
  figureData,
  resolveRef,
  type FigureSpec,
  type Records,
} from '../.vitepress/theme/figures/spec.ts'
import { chartConfig, logTickLabel, tickLabel, withAlpha, type Palette } from '../.vitepress/theme/figures/chart-config.ts'

const root = join(import.meta.dirname, '..')
const file = 'chapters/01-rl-basics.md'
const at = { file, line: 100, chapter: '01-rl-basics' }

/** Parse a figure block's content, expecting it to be valid. */
function figure(content: string): Figure {
  const parsed = parseFigure(content, at)
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'))
  return parsed.figure
}

/** The errors of a figure block's content, expecting it to be invalid. */
function errorsOf(content: string): string[] {
  const parsed = parseFigure(content, at)
  expect(parsed.ok).toBe(false)
  return parsed.ok ? [] : parsed.errors
}

const lineFigure = `caption: The success probability of each agent.
x: curveEpisodes
xLabel: training episode
yMin: 0
series:
  - { label: REINFORCE, y: reinforce.curve }
  - label: Q-learning
    y: qlearning.curve
    style: dashed
    color: 3
`

describe('figure blocks', () => {
  it('are fences marked `yaml figure` (or just `figure`)', () => {
    expect(isFigureInfo('yaml figure')).toBe(true)
    expect(isFigureInfo('figure')).toBe(true)
    expect(isFigureInfo(' yaml   figure ')).toBe(true)
    for (const info of ['yaml', 'ts figure', 'yaml figure extra', 'text output', '']) expect(isFigureInfo(info)).toBe(false)
  })

  it('are found in a chapter with the line of their opening fence', () => {
    const source = ['# T', '', '```yaml figure', 'caption: a', '```', '', '```yaml', 'a: 1', '```', '', '```figure', 'caption: b', '```', ''].join('\n')
    expect(findFigures(source)).toEqual([
      { content: 'caption: a', line: 3 },
      { content: 'caption: b', line: 11 },
    ])
  })
})

describe('parsing a figure spec', () => {
  it('reads a line chart, with line numbers in the chapter', () => {
    const { spec, caption, captionLine } = figure(lineFigure)
    expect(caption).toBe('The success probability of each agent.')
    expect(captionLine).toBe(101)
    expect(spec).toMatchObject({
      file,
      line: 100,
      chapter: '01-rl-basics',
      kind: 'line',
      x: { kind: 'array', path: 'curveEpisodes', line: 102 },
      xFrom: 0,
      axes: { x: { label: 'training episode', log: false }, y: { min: 0, log: false } },
      height: 300,
    })
    expect(spec.axes.y2).toBeUndefined()
    expect(spec.series).toEqual([
      { label: 'REINFORCE', y: { kind: 'array', path: 'reinforce.curve', line: 106 }, axis: 'y', style: 'solid', color: 0, line: 106 },
      { label: 'Q-learning', y: { kind: 'array', path: 'qlearning.curve', line: 108 }, axis: 'y', style: 'dashed', color: 2, line: 107 },
    ])
  })

  it('reads a bar chart whose series list one path per category', () => {
    const { spec } = figure(`kind: bar
caption: |
  Spread, with and without.
categories: [early, late]
series:
  - { label: without, y: [gradient.early.stdWithout, 'a.b[2]'] }
`)
    expect(spec.kind).toBe('bar')
    expect(spec.categories).toEqual(['early', 'late'])
    expect(spec.series[0]!.y).toEqual({ kind: 'points', paths: ['gradient.early.stdWithout', 'a.b[2]'], line: 106 })
    expect(spec.height).toBe(260)
  })

  it('puts a series on the right-hand axis, and reads its options', () => {
    const { spec } = figure(`caption: c
chapter: 03-kl-penalty
xFrom: 1
y2Label: KL
y2Log: true
series:
  - { label: a, y: a.curve }
  - { label: b, y: b.curve, axis: right, points: false, x: b.steps }
`)
    expect(spec.chapter).toBe('03-kl-penalty')
    expect(spec.xFrom).toBe(1)
    expect(spec.axes.y2).toEqual({ label: 'KL', log: true })
    expect(spec.series[1]).toMatchObject({ axis: 'y2', points: false, x: { kind: 'array', path: 'b.steps' } })
  })

  it('gives the caption line of a block caption as the line after `caption: >`', () => {
    expect(figure('series: [{ y: a }]\ncaption: >\n  Folded\n  text.\n')).toMatchObject({ caption: 'Folded text.', captionLine: 103 })
  })

  it('names the chapter file and the line of each mistake', () => {
    expect(errorsOf('caption: c\nseries:\n  - { label: a, y: a..b }\n')).toEqual([
      `${file}:103: figure: a..b is not a path (write a.b, a.b[2] or a.b.2)`,
    ])
    expect(errorsOf('caption: c\ncolour: red\nseries: [{ y: a }]\n')).toEqual([
      expect.stringMatching(new RegExp(`^${file}:102: figure: unknown key \`colour\``)),
    ])
    expect(errorsOf('caption: c\nseries:\n  - { y: a, colour: 2 }\n')).toEqual([
      expect.stringMatching(new RegExp(`^${file}:103: figure: unknown series key \`colour\``)),
    ])
    expect(errorsOf('caption: [c\n')[0]).toMatch(new RegExp(`^${file}:10[12]: figure: not valid YAML`))
    expect(errorsOf('caption: c\ncaption: d\nseries: [{ y: a }]\n')[0]).toMatch(/not valid YAML: Map keys must be unique/)
    expect(errorsOf('series: [{ y: a }]\n')).toEqual([`${file}:101: figure: a figure needs a \`caption:\``])
    expect(errorsOf('caption: c\n')).toEqual([`${file}:101: figure: a figure needs \`series:\`, a list of { label, y }`])
    expect(errorsOf('just text')).toEqual([`${file}:101: figure: expected a YAML mapping with at least \`caption:\` and \`series:\``])
  })

  it('rejects what does not fit the kind of chart', () => {
    expect(errorsOf('kind: pie\ncaption: c\nseries: [{ y: a }]\n')).toEqual([
      `${file}:101: figure: \`kind\` must be \`line\`, \`bar\` or \`scatter\``,
    ])
    expect(errorsOf('kind: bar\ncaption: c\nseries: [{ y: a }]\n')).toEqual([
      `${file}:101: figure: a bar chart needs \`categories:\`, the labels of its groups of bars`,
    ])
    expect(errorsOf('kind: bar\ncaption: c\ncategories: [a]\nx: steps\nseries: [{ y: a }]\n')).toEqual([
      `${file}:104: figure: \`x\` is for line charts`,
    ])
    expect(errorsOf('caption: c\ncategories: [a]\nseries: [{ y: a }]\n')).toEqual([
      `${file}:102: figure: \`categories\` is for bar charts (\`kind: bar\`)`,
    ])
    expect(errorsOf('caption: c\ny2Log: true\nseries: [{ y: a }]\n')).toEqual([
      `${file}:102: figure: \`y2Log\` describes the right-hand axis, but no series has \`axis: right\``,
    ])
    expect(errorsOf('caption: c\nseries:\n  - { y: a }\n  - { y: b }\n')).toEqual([
      `${file}:103: figure: each series of a figure with several needs a \`label:\``,
      `${file}:104: figure: each series of a figure with several needs a \`label:\``,
    ])
    expect(errorsOf('caption: c\nchapter: five\nseries: [{ y: a }]\n')[0]).toMatch(/:102: figure: `chapter` must be a chapter name/)
    expect(errorsOf('caption: c\nseries: [{ y: a, style: wavy, color: 9 }]\n')).toEqual([
      `${file}:102: figure: \`style\` must be one of solid, dashed, dotted, thin`,
      `${file}:102: figure: \`color\` must be a whole number from 1 to 6 (the theme's figure colours)`,
    ])
  })
})

describe('following a figure\'s paths into the results', () => {
  const results = {
    steps: [0, 10, 20],
    a: { curve: [0.1, 0.5, 0.9], b: [1, 2, 3], nested: [{ v: 4 }, { v: 5 }] },
    text: 'hello',
    mixed: [1, 'x'],
  }
  const ref = (path: string) => ({ kind: 'array' as const, path, line: 1 })
  const points = (...paths: string[]) => ({ kind: 'points' as const, paths, line: 1 })
  /** The figure's own chapter's record only. */
  const own: Records = new Map([['01-rl-basics', results]])

  it('reads paths as claims do: a.b, a.b[2], a.b.2', () => {
    expect(resolveRef(ref('a.curve'), own, at.chapter)).toEqual({ ok: true, values: [0.1, 0.5, 0.9] })
    expect(resolveRef(points('a.b[2]', 'a.b.0', 'a.nested[1].v', 'a.nested.0.v'), own, at.chapter)).toEqual({ ok: true, values: [3, 1, 5, 4] })
  })

  it('says what is there when a path leads nowhere or not to numbers', () => {
    expect(resolveRef(ref('a.curv'), own, at.chapter)).toEqual({ ok: false, message: 'path a.curv not in results (a has: curve, b, nested)' })
    expect(resolveRef(ref('text'), own, at.chapter)).toEqual({ ok: false, message: 'text is not an array of numbers (it is "hello")' })
    expect(resolveRef(ref('mixed'), own, at.chapter)).toEqual({ ok: false, message: 'mixed is not an array of numbers (it is an array whose item 1 is "x")' })
    expect(resolveRef(points('a.curve'), own, at.chapter)).toEqual({ ok: false, message: 'a.curve is not a number (it is an array of 3 numbers)' })
  })

  it('pairs each series with its x: the figure\'s, its own, or 0, 1, 2, … from xFrom', () => {
    const { spec } = figure(`caption: c
xFrom: 1
series:
  - { label: a, y: a.curve }
  - { label: b, y: a.b, x: steps }
`)
    expect(figureData(spec, own)).toEqual({
      ok: true,
      data: { series: [{ label: 'a', x: [1, 2, 3], y: [0.1, 0.5, 0.9] }, { label: 'b', x: [0, 10, 20], y: [1, 2, 3] }] },
    })
  })

  it('spaces the default x by xStep, for a curve kept every n-th step', () => {
    const { spec } = figure('caption: c\nxStep: 10\nseries:\n  - { y: a.curve }\n')
    expect(spec.xStep).toBe(10)
    expect(figureData(spec, own)).toEqual({ ok: true, data: { series: [{ label: 'a.curve', x: [0, 10, 20], y: [0.1, 0.5, 0.9] }] } })
    expect(errorsOf('caption: c\nx: steps\nxStep: 0\nseries:\n  - { y: a }\n')).toEqual([
      'chapters/01-rl-basics.md:103: figure: `xStep` spaces the default x (0, 1, 2, …); with `x:` it has no use',
      'chapters/01-rl-basics.md:103: figure: `xStep` must be more than 0',
    ])
  })

  it('fails with file:line when a path is missing or a series has the wrong length', () => {
    const { spec } = figure(`caption: c
x: steps
series:
  - { label: a, y: a.curve }
  - { label: b, y: a.nested }
  - { label: c, y: [a.b.0, a.b.1] }
  - { label: d, y: a.nope }
`)
    const result = figureData(spec, own)
    expect(result.ok).toBe(false)
    expect(!result.ok && result.errors).toEqual([
      `${file}:105: figure (01-rl-basics): a.nested is not an array of numbers (it is an array whose item 0 is an object)`,
      `${file}:106: figure (01-rl-basics): series "c" has 2 values ([a.b.0, a.b.1]) but its x has 3 (steps)`,
      `${file}:107: figure (01-rl-basics): path a.nope not in results (a has: curve, b, nested)`,
    ])
  })

  it('checks that a bar chart has one value per category', () => {
    const { spec } = figure('kind: bar\ncaption: c\ncategories: [x, y]\nseries:\n  - { label: a, y: a.curve }\n')
    expect(figureData(spec, own)).toEqual({
      ok: false,
      errors: [`${file}:105: figure (01-rl-basics): series "a" has 3 values (a.curve) for 2 categories`],
    })
  })
})

describe('paths into other chapters\' records', () => {
  const records: Records = new Map<string, unknown>([
    ['01-rl-basics', { own: { score: 0.1 } }],
    ['04-on-off-policy', { ppo: { score: 0.8, kl: 2.5, curve: [1, 2] } }],
    ['05-dpo', { dpo: { score: 0.7, kl: 1.5 } }],
  ])
  const cross = `caption: c
kind: bar
categories: [own, PPO, DPO]
series:
  - { label: score, y: [own.score, 04-on-off-policy:ppo.score, 05-dpo:dpo.score] }
`

  it('read the named chapter\'s record, as claims do after `@`; a path without one reads the figure\'s', () => {
    const { spec } = figure(cross)
    expect(spec.series[0]!.y).toEqual({
      kind: 'points',
      paths: ['own.score', '04-on-off-policy:ppo.score', '05-dpo:dpo.score'],
      line: 105,
    })
    expect(figureChapters(spec)).toEqual(['01-rl-basics', '04-on-off-policy', '05-dpo'])
    expect(figureData(spec, records)).toEqual({ ok: true, data: { series: [{ label: 'score', x: [], y: [0.1, 0.8, 0.7] }] } })
  })

  it('name the figure\'s `chapter:` for paths without a chapter, and only the chapters read', () => {
    const { spec } = figure('caption: c\nchapter: 05-dpo\nx: 04-on-off-policy:ppo.curve\nseries:\n  - { y: 04-on-off-policy:ppo.curve }\n')
    expect(chapterLines(spec)).toEqual(new Map([['04-on-off-policy', 103]]))
    expect(figureData(spec, records)).toMatchObject({ ok: true, data: { series: [{ x: [1, 2], y: [1, 2] }] } })
  })

  it('fail with file:line for a chapter with no record, or a path not in that record', () => {
    const { spec } = figure(`caption: c
kind: bar
categories: [a]
series:
  - { label: a, y: [04-on-policy:ppo.score] }
  - { label: b, y: [05-dpo:dpo.scor] }
`)
    expect(figureData(spec, records)).toEqual({
      ok: false,
      errors: [
        `${file}:105: figure (01-rl-basics): 04-on-policy:ppo.score: no record of 04-on-policy to read`,
        `${file}:106: figure (01-rl-basics): path dpo.scor not in results (dpo has: score, kl) ` +
          '(in the recorded results of 05-dpo)',
      ],
    })
  })

  it('are checked against the book: an unknown chapter is named at the line that reads it', () => {
    const { spec } = figure('caption: c\nseries:\n  - { label: a, y: 04-on-policy:ppo.curve }\n')
    const loaded = recordsOf(spec, (chapter) => readRecord(root, chapter).results)
    expect(loaded.problems).toEqual([`${file}:103: figure: no chapter is named 04-on-policy`])
  })

  it('must name a chapter before the colon', () => {
    expect(errorsOf('caption: c\nseries:\n  - { label: a, y: [Five:a.b] }\n')).toEqual([
      `${file}:103: figure: Five is not a chapter name (write 05-dpo:path)`,
    ])
  })
})

describe('scatter charts', () => {
  const records: Records = new Map<string, unknown>([
    ['01-rl-basics', { sweep: { kl: [0.5, 1, 2], score: [0.2, 0.4, 0.5] } }],
    ['04-on-off-policy', { ppo: { score: 0.8, kl: 2.5 } }],
    ['05-dpo', { dpo: { score: 0.7, kl: 1.5 }, ipo: { score: 0.6, kl: 0.5 } }],
  ])
  const frontier = `kind: scatter
caption: The score and KL of each method.
xLabel: KL from the reference
xLog: true
yLabel: score
series:
  - { label: PPO, x: [04-on-off-policy:ppo.kl], y: [04-on-off-policy:ppo.score] }
  - label: DPO family
    x: [05-dpo:dpo.kl, 05-dpo:ipo.kl]
    y: [05-dpo:dpo.score, 05-dpo:ipo.score]
    color: 3
  - { label: sweep, x: sweep.kl, y: sweep.score }
`

  it('read each series\' x and y: lists of paths, or paths to arrays', () => {
    const { spec } = figure(frontier)
    expect(spec).toMatchObject({ kind: 'scatter', height: 300, axes: { x: { label: 'KL from the reference', log: true } } })
    expect(spec.series[1]).toEqual({
      label: 'DPO family',
      x: { kind: 'points', paths: ['05-dpo:dpo.kl', '05-dpo:ipo.kl'], line: 109 },
      y: { kind: 'points', paths: ['05-dpo:dpo.score', '05-dpo:ipo.score'], line: 110 },
      axis: 'y',
      style: 'solid',
      color: 2,
      line: 108,
    })
    expect(figureChapters(spec)).toEqual(['04-on-off-policy', '05-dpo', '01-rl-basics'])
    expect(figureData(spec, records)).toEqual({
      ok: true,
      data: {
        series: [
          { label: 'PPO', x: [2.5], y: [0.8] },
          { label: 'DPO family', x: [1.5, 0.5], y: [0.7, 0.6] },
          { label: 'sweep', x: [0.5, 1, 2], y: [0.2, 0.4, 0.5] },
        ],
      },
    })
  })

  it('fail with file:line when a series\' x and y differ in length', () => {
    const { spec } = figure('kind: scatter\ncaption: c\nseries:\n  - { label: a, x: sweep.kl, y: [05-dpo:dpo.score] }\n')
    expect(figureData(spec, records)).toEqual({
      ok: false,
      errors: [`${file}:104: figure (01-rl-basics): series "a" has 1 values ([05-dpo:dpo.score]) but its x has 3 (sweep.kl)`],
    })
  })

  it('need x in every series, and take no lines\' keys', () => {
    expect(errorsOf('kind: scatter\ncaption: c\nseries:\n  - { label: a, y: a }\n')).toEqual([
      `${file}:104: figure: a scatter series needs \`x:\` as well as \`y:\`, one x a point`,
    ])
    expect(errorsOf('kind: scatter\ncaption: c\nx: k\nxStep: 2\nseries:\n  - { label: a, x: k, y: a, style: dashed }\n')).toEqual([
      `${file}:103: figure: \`x\` is for line charts; a scatter series has its own \`x:\``,
      `${file}:104: figure: \`xStep\` is for line charts`,
      `${file}:106: figure: \`style\` of a series is for line charts`,
    ])
    expect(errorsOf('kind: bar\ncaption: c\ncategories: [p]\nxLog: true\nseries:\n  - { label: a, x: k, y: [a] }\n')).toEqual([
      `${file}:104: figure: \`xLog\` is for line and scatter charts`,
      `${file}:106: figure: \`x\` of a series is for line and scatter charts`,
    ])
  })

  it('are drawn as markers without lines, one marker a series, log axes leaving out points ≤ 0', () => {
    const { spec } = figure(frontier)
    const palette: Palette = { text: '#111', muted: '#666', grid: '#ddd', surface: '#fff', font: 'Inter', series: ['#0072b2', '#d55e00', '#009e73'] }
    const data = { series: [{ label: 'PPO', x: [2.5], y: [0.8] }, { label: 'DPO family', x: [0, 0.5], y: [0.7, 0.6] }, { label: 'sweep', x: [1], y: [0.2] }] }
    const config = chartConfig(spec, data, palette)
    expect(config.type).toBe('scatter')
    const scales = config.options!.scales as Record<string, { type: string; title: { text: string } }>
    expect(scales.x).toMatchObject({ type: 'logarithmic', title: { text: 'KL from the reference' } })
    expect(scales.y).toMatchObject({ type: 'linear', title: { text: 'score' } })
    expect(config.data.datasets).toMatchObject([
      { label: 'PPO', data: [{ x: 2.5, y: 0.8 }], showLine: false, pointStyle: 'circle', borderColor: '#0072b2' },
      { label: 'DPO family', data: [{ x: 0.5, y: 0.6 }], showLine: false, pointStyle: 'triangle', borderColor: '#009e73' },
      { label: 'sweep', data: [{ x: 1, y: 0.2 }], pointStyle: 'rect' },
    ])
    expect(config.options!.plugins!.legend).toMatchObject({ display: true, labels: { usePointStyle: true } })
  })

  it('draw the book\'s records across chapters: the frontier of PPO, DPO and RLOO', () => {
    const { spec } = figure(`kind: scatter
caption: c
series:
  - { label: PPO, x: [04-on-off-policy:ppo.kl], y: [04-on-off-policy:ppo.score] }
  - { label: DPO, x: [05-dpo:dpo.kl], y: [05-dpo:dpo.score] }
  - { label: RLOO, x: [09-remax-rloo:rloo.kl], y: [09-remax-rloo:rloo.score] }
`)
    const loaded = recordsOf(spec, (chapter) => readRecord(root, chapter).results)
    expect(loaded.problems).toEqual([])
    const data = figureData(spec, loaded.records)
    expect(data.ok && data.data.series.map((s) => [s.x.length, s.y.length])).toEqual([[1, 1], [1, 1], [1, 1]])
  })
})

describe('the chart', () => {
  const palette: Palette = { text: '#111', muted: '#666', grid: '#ddd', surface: '#fff', font: 'Inter', series: ['#0072b2', '#d55e00'] }

  it('puts right-hand series on a second axis, log scales leave out values ≤ 0, styles dash', () => {
    const { spec } = figure(`caption: c
yLabel: score
y2Log: true
series:
  - { label: a, y: a }
  - { label: b, y: b, axis: right, style: dashed }
`)
    const config = chartConfig(spec, { series: [{ label: 'a', x: [0, 1], y: [0.5, 0.6] }, { label: 'b', x: [0, 1], y: [0, 2] }] }, palette)
    expect(config.type).toBe('line')
    const scales = config.options!.scales as Record<string, { type: string; position?: string; title: { text: string } }>
    expect(scales.y).toMatchObject({ type: 'linear', position: 'left', title: { text: 'score' } })
    expect(scales.y2).toMatchObject({ type: 'logarithmic', position: 'right' })
    const [a, b] = config.data.datasets as { data: unknown; yAxisID: string; borderDash: number[]; borderColor: string }[]
    expect(a).toMatchObject({ yAxisID: 'y', borderDash: [], borderColor: '#0072b2', data: [{ x: 0, y: 0.5 }, { x: 1, y: 0.6 }] })
    expect(b).toMatchObject({ yAxisID: 'y2', borderDash: [6, 4], borderColor: '#d55e00', data: [{ x: 0, y: null }, { x: 1, y: 2 }] })
  })

  it('draws bars by category', () => {
    const { spec } = figure('kind: bar\ncaption: c\ncategories: [x, y]\nseries:\n  - { label: a, y: [p, q] }\n')
    const config = chartConfig(spec, { series: [{ label: 'a', x: [], y: [1, 2] }] }, palette)
    expect(config).toMatchObject({ type: 'bar', data: { labels: ['x', 'y'], datasets: [{ label: 'a', data: [1, 2] }] } })
  })

  it('labels ticks briefly, and a log axis only at 1, 2 and 5 times a power of ten', () => {
    expect([0, 0.5, 0.25, 1000, 0.123456].map(tickLabel)).toEqual(['0', '0.5', '0.25', '1,000', '0.123'])
    expect([0.1, 0.2, 0.3, 0.5, 1, 3, 10, 20, 50, 70, 0].map(logTickLabel)).toEqual(['0.1', '0.2', '', '0.5', '1', '', '10', '20', '50', '', ''])
  })

  it('makes translucent colours', () => {
    expect(withAlpha('#0072b2', 0.5)).toBe('rgba(0, 114, 178, 0.5)')
    expect(withAlpha('#fff', 1)).toBe('rgba(255, 255, 255, 1)')
    expect(withAlpha('rgb(1, 2, 3)', 0.5)).toBe('rgb(1, 2, 3)')
  })
})

describe('the page', () => {
  it('passes the spec to <ResultFigure> as JSON that needs no HTML decoding', () => {
    const { spec } = figure(`caption: c\nseries:\n  - { label: "it's <b> & co", y: a }\n`)
    const html = renderFigure(spec, 'The <em>caption</em>.')
    expect(html).toMatch(/^<ResultFigure :spec='\{.*\}'>The <em>caption<\/em>\.<\/ResultFigure>\n$/)
    const json = /:spec='(.*)'>/.exec(html)![1]!
    expect(json).not.toMatch(/[<>&']/)
    expect((JSON.parse(json) as FigureSpec).series[0]!.label).toBe("it's <b> & co")
  })

  it('names the chapter a page is', () => {
    expect(chapterOf('01-rl-basics.md')).toBe('01-rl-basics')
  })
})

/** Every chapter file's name, as a record is named. */
const chapterFiles = readdirSync(join(root, 'chapters'))
  .filter((f) => /^\d\d-.*\.md$/.test(f))
  .sort()
const chapterNames = new Set(chapterFiles.map(chapterOf))

/** Every chapter file with figures, and the figures in it. */
const chapters = chapterFiles
  .map((name) => {
    const path = `chapters/${name}`
    const source = readFileSync(join(root, path), 'utf8')
    return { name, path, chapter: chapterOf(name), lines: source.split(/\r?\n/), figures: findFigures(source) }
  })
  .filter((c) => c.figures.length > 0)

/**
 * The records `spec` reads, from the book's; or, at the line of the first path that names it,
 * each chapter that does not exist or has no record.
 */
function recordsOf(spec: FigureSpec, resultsOf: (chapter: string) => unknown): { records: Records; problems: string[] } {
  const records = new Map<string, unknown>()
  const problems: string[] = []
  for (const [chapter, line] of chapterLines(spec)) {
    const results = chapterNames.has(chapter) ? resultsOf(chapter) : new Error(`no chapter is named ${chapter}`)
    if (results instanceof Error) problems.push(`${spec.file}:${line}: figure: ${results.message}`)
    else records.set(chapter, results)
  }
  return { records, problems }
}

/** The problems of one chapter's figures: specs, their data in the records, their captions. */
function figureProblems(c: (typeof chapters)[number]): string[] {
  const problems: string[] = []
  const records = new Map<string, unknown>()
  const resultsOf = (chapter: string): unknown => {
    if (!records.has(chapter)) {
      try {
        records.set(chapter, readRecord(root, chapter).results)
      } catch (error) {
        records.set(chapter, error as Error)
      }
    }
    return records.get(chapter)
  }
  for (const block of c.figures) {
    const parsed = parseFigure(block.content, { file: c.path, line: block.line, chapter: c.chapter })
    if (!parsed.ok) {
      problems.push(...parsed.errors)
      continue
    }
    const { spec, caption, captionLine } = parsed.figure
    const loaded = recordsOf(spec, resultsOf)
    problems.push(...loaded.problems)
    if (loaded.problems.length === 0) {
      const data = figureData(spec, loaded.records)
      if (!data.ok) problems.push(...data.errors)
    }

    // The caption is prose on the page, but code to the claims linter: check it here, by the same rules.
    const checks = readChecks(c.path, caption)
    // A folded caption (`caption: >`) is one line to the linter: find the text on the chapter's lines.
    const blockEnd = block.line + block.content.split('\n').length
    const locate = (text: string, fallback: number): number => {
      for (let l = captionLine; l <= blockEnd; l++) if (c.lines[l - 1]?.includes(text)) return l
      return captionLine + fallback - 1
    }
    problems.push(...checks.errors.map((e) => `${c.path}:${captionLine}: figure caption: ${e}`))
    for (const stray of checks.stray) {
      problems.push(
        `${c.path}:${locate(stray.text, stray.line)}: figure caption states ${stray.text}, which no claim checks ` +
          '(write it as a claim, `0.93 @path`, or leave it out)',
      )
    }
    for (const claim of checks.claims) {
      const claimLine = locate(claim.raw, claim.line)
      // Captions are checked against records, which are made on the book's backend: exactly.
      const cited = (chapter: string): unknown => {
        const results = resultsOf(chapter)
        if (results instanceof Error) throw results
        return results
      }
      let failure: string | undefined
      try {
        failure = checkClaim({ ...claim, line: claimLine }, cited(c.chapter), { exact: true, cited })
      } catch (error) {
        failure = `${c.path}:${claimLine}: ${(error as Error).message}`
      }
      if (failure) problems.push(failure)
    }
  }
  return problems
}

describe('every figure in the book matches its record', () => {
  it('has figures to check', () => {
    expect(chapters.length).toBeGreaterThan(0)
  })
  it.each(chapters.map((c) => [c.path, c] as const))('%s', (_path, c) => {
    expect(figureProblems(c)).toEqual([])
  })
})
