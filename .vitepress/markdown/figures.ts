/**
 * Figures: a chapter draws its recorded results with a fenced block,
 *
 *   ```yaml figure
 *   caption: The success probability of each agent, every 10 episodes.
 *   x: curveEpisodes
 *   xLabel: training episode
 *   yLabel: success probability
 *   series:
 *     - { label: REINFORCE, y: reinforce.curve }
 *     - { label: Q-learning, y: qlearning.curve }
 *   ```
 *
 * which GitHub shows as a YAML block and the site as a chart
 * (`<ResultFigure>`, `.vitepress/theme/figures/`). The paths are paths into the
 * chapter's results, exactly as in claims (`reinforce.curve`, `a.b[2]`, `a.b.2`);
 * the numbers come from the chapter's record, `chapters/public/results/NN-name.json`,
 * which the chapter's test keeps equal to what its program returns, and
 * `test/site-figures.test.ts` checks every figure's paths against the records.
 * As in a claim after its `@`, a path may start with another chapter's name and a
 * colon (`04-on-off-policy:ppo.kl`): it then reads that chapter's record. A figure
 * may draw from several records; the Run box's run replaces only its own chapter's.
 *
 * A scatter chart marks points, without lines: each series gives both `x` and `y`,
 * of equal length, e.g. a score–KL frontier with one point a method:
 *
 *   ```yaml figure
 *   kind: scatter
 *   caption: The score and KL of each method.
 *   xLabel: KL from the reference
 *   yLabel: score
 *   series:
 *     - { label: PPO, x: [04-on-off-policy:ppo.kl], y: [04-on-off-policy:ppo.score] }
 *     - label: DPO family
 *       x: [05-dpo:dpo.kl, 05-dpo:ipo.kl]
 *       y: [05-dpo:dpo.score, 05-dpo:ipo.score]
 *   ```
 *
 * The block is code, not prose, to the claims linter: its caption is checked by
 * the figures test instead (no stray decimals; a claim in it holds in the record).
 *
 * Keys (all but `caption` and `series` optional):
 *
 *   caption            Markdown, one paragraph (claims and $math$ render as in prose)
 *   chapter            whose record a path without a chapter reads (`05-dpo`);
 *                      default: the chapter it is in
 *   kind               `line` (default), `bar` or `scatter`
 *   x                  line: a path to the x values; default 0, 1, 2, … (+ `xFrom`, × `xStep`:
 *                      `xStep: 10` for a curve kept every tenth step)
 *   categories         bar: the groups' labels
 *   xLabel, yLabel, y2Label          axis titles (`y2` is the right-hand axis)
 *   xMin, xMax, yMin, yMax, y2Min, y2Max, xLog, yLog, y2Log   axis ranges, log scales
 *   height             the plot's height in pixels
 *   series             a list of { label, y, x, axis: left|right,
 *                      style: solid|dashed|dotted|thin, color: 1…, points: true|false }
 *                      (bar: label, y, color; scatter: label, x, y, color, x required)
 *
 * A path (`y`, `x`) leads to an array of numbers; a list of paths (`[sft.score, dpo.score]`)
 * gives one number each. In a flow mapping (`{ … }`) quote a path with brackets.
 */
import type { MarkdownRenderer } from 'vitepress'
import type { Code } from 'mdast'
import { visit } from 'unist-util-visit'
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml'
import { chapterName, parseReference } from '../../scripts/claims/claim.ts'
import { parseMarkdown } from '../../scripts/tangle/markdown.ts'
import type { AxisSpec, DataRef, FigureKind, FigureSpec, SeriesSpec, SeriesStyle } from '../theme/figures/spec.ts'

/** A figure as written: what the chart needs, and its caption (Markdown) for the page. */
export interface Figure {
  spec: FigureSpec
  caption: string
  /** The chapter line the caption starts on. */
  captionLine: number
}

export type FigureParse = { ok: true; figure: Figure } | { ok: false; errors: string[] }

/** Whether a fence's info string marks a figure: `yaml figure` (GitHub highlights it as YAML) or `figure`. */
export function isFigureInfo(info: string): boolean {
  const words = info.trim().split(/\s+/)
  return (words[0] === 'figure' && words.length === 1) || ((words[0] === 'yaml' || words[0] === 'yml') && words.slice(1).join(' ') === 'figure')
}

const TOP_KEYS = [
  'caption', 'chapter', 'kind', 'x', 'xFrom', 'xStep', 'categories', 'height', 'series',
  'xLabel', 'xMin', 'xMax', 'xLog', 'yLabel', 'yMin', 'yMax', 'yLog', 'y2Label', 'y2Min', 'y2Max', 'y2Log',
] as const
const SERIES_KEYS = ['label', 'y', 'x', 'axis', 'style', 'color', 'points'] as const
const KINDS: readonly FigureKind[] = ['line', 'bar', 'scatter']
/** The keys only some kinds of chart take: at the top, and in a series. */
const TOP_ONLY: Readonly<Record<string, readonly FigureKind[]>> = {
  x: ['line'], xFrom: ['line'], xStep: ['line'], xLog: ['line', 'scatter'], categories: ['bar'],
}
const SERIES_ONLY: Readonly<Record<string, readonly FigureKind[]>> = {
  x: ['line', 'scatter'], axis: ['line'], style: ['line'], points: ['line'],
}
const STYLES: readonly SeriesStyle[] = ['solid', 'dashed', 'dotted', 'thin']
/** How many series colours the theme defines (`--rlhf-figure-1` …). */
export const PALETTE_SIZE = 6
export const DEFAULT_HEIGHT: Record<FigureKind, number> = { line: 300, bar: 260, scatter: 300 }

/** Why `kind` does not take `key` (per `only`), or undefined when it does. */
function misplaced(key: string, kind: FigureKind, only: typeof TOP_ONLY, where = ''): string | undefined {
  const kinds = only[key]
  if (!kinds || kinds.includes(kind)) return undefined
  const hint = kinds.includes('line') ? '' : ` (\`kind: ${kinds[0]}\`)`
  const own = kind === 'scatter' && key === 'x' && where === '' ? '; a scatter series has its own `x:`' : ''
  return `\`${key}\`${where} is for ${kinds.join(' and ')} charts${hint}${own}`
}

/**
 * Read the content of a figure block. `at.line` is the chapter line of the
 * opening fence; every message is `file:line: figure: …`, at the line of the
 * offending key or value.
 */
export function parseFigure(content: string, at: { file: string; line: number; chapter: string }): FigureParse {
  const errors: string[] = []
  const lineCounter = new LineCounter()
  const doc = parseDocument(content, { lineCounter, prettyErrors: false, uniqueKeys: true })
  /** The chapter line of an offset into the block's content. */
  const lineAt = (offset: number) => at.line + lineCounter.linePos(offset).line
  const lineOf = (node: unknown, fallback = at.line + 1) =>
    node && typeof node === 'object' && 'range' in node && Array.isArray(node.range) ? lineAt(node.range[0] as number) : fallback
  const fail = (line: number, message: string) => errors.push(`${at.file}:${line}: figure: ${message}`)

  for (const e of doc.errors) fail(lineAt(e.pos[0]), `not valid YAML: ${e.message}`)
  if (errors.length) return { ok: false, errors }
  if (!isMap(doc.contents)) {
    fail(at.line + 1, 'expected a YAML mapping with at least `caption:` and `series:`')
    return { ok: false, errors }
  }

  // The top-level keys, each with its value node.
  const top = new Map<string, { node: YamlNode | null; line: number }>()
  for (const pair of doc.contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : ''
    const line = lineOf(pair.key)
    if (!(TOP_KEYS as readonly string[]).includes(key)) {
      fail(line, `unknown key \`${key}\` (known: ${TOP_KEYS.join(', ')})`)
      continue
    }
    top.set(key, { node: (pair.value as YamlNode | null) ?? null, line })
  }

  const scalar = (node: YamlNode | null): unknown => (isScalar(node) ? node.value : undefined)
  const text = (key: string, node: YamlNode | null, line: number): string | undefined => {
    const v = scalar(node)
    if (typeof v === 'string' && v.trim() !== '') return v.trim()
    if (typeof v === 'number') return String(v)
    fail(line, `\`${key}\` must be text`)
    return undefined
  }
  const number = (key: string, node: YamlNode | null, line: number): number | undefined => {
    const v = scalar(node)
    if (typeof v === 'number' && Number.isFinite(v)) return v
    fail(line, `\`${key}\` must be a number`)
    return undefined
  }
  const flag = (key: string, node: YamlNode | null, line: number): boolean | undefined => {
    const v = scalar(node)
    if (typeof v === 'boolean') return v
    fail(line, `\`${key}\` must be true or false`)
    return undefined
  }
  const path = (node: YamlNode | null, line: number): string | undefined => {
    const v = scalar(node)
    const read = typeof v === 'string' ? parseReference(v) : undefined
    if (read?.ok) return v as string
    const written = JSON.stringify(v ?? null)
    fail(line, read?.message ?? `${written} is not a path into the results (write a.b or 05-dpo:a.b)`)
    return undefined
  }
  const ref = (key: string, node: YamlNode | null, line: number): DataRef | undefined => {
    if (isSeq(node)) {
      if (node.items.length === 0) {
        fail(line, `\`${key}\` lists no paths`)
        return undefined
      }
      const paths = node.items.map((item) => path(item as YamlNode, lineOf(item, line)))
      return paths.every((p) => p !== undefined) ? { kind: 'points', paths: paths as string[], line } : undefined
    }
    if (!isScalar(node)) {
      fail(line, `\`${key}\` must be a path, or a list of paths`)
      return undefined
    }
    const p = path(node, line)
    return p === undefined ? undefined : { kind: 'array', path: p, line }
  }
  const get = (key: string) => top.get(key)

  // kind and chapter first: what else is allowed depends on them.
  let kind: FigureKind = 'line'
  const kindEntry = get('kind')
  if (kindEntry) {
    const v = scalar(kindEntry.node)
    if ((KINDS as readonly unknown[]).includes(v)) kind = v as FigureKind
    else fail(kindEntry.line, '`kind` must be `line`, `bar` or `scatter`')
  }
  let chapter = at.chapter
  const chapterEntry = get('chapter')
  if (chapterEntry) {
    const v = scalar(chapterEntry.node)
    if (typeof v === 'string' && chapterName.test(v)) chapter = v
    else fail(chapterEntry.line, '`chapter` must be a chapter name, e.g. `05-dpo`')
  }
  for (const [key, { line }] of top) {
    const message = misplaced(key, kind, TOP_ONLY)
    if (message) fail(line, message)
  }

  let caption: string | undefined
  let captionLine = at.line + 1
  const captionEntry = get('caption')
  if (!captionEntry) fail(at.line + 1, 'a figure needs a `caption:`')
  else {
    caption = text('caption', captionEntry.node, captionEntry.line)
    captionLine = lineOf(captionEntry.node, captionEntry.line)
    // A block scalar (`caption: |`) starts on the line after its indicator.
    if (isScalar(captionEntry.node) && /^(?:BLOCK_LITERAL|BLOCK_FOLDED)$/.test(captionEntry.node.type ?? '')) captionLine++
  }

  const axis = (name: 'x' | 'y' | 'y2'): AxisSpec => {
    const out: AxisSpec = { log: false }
    const label = get(`${name}Label`)
    if (label) out.label = text(`${name}Label`, label.node, label.line)
    for (const end of ['Min', 'Max'] as const) {
      const entry = get(`${name}${end}`)
      if (entry) {
        const v = number(`${name}${end}`, entry.node, entry.line)
        if (v !== undefined) out[end === 'Min' ? 'min' : 'max'] = v
      }
    }
    const log = get(`${name}Log`)
    if (log) out.log = flag(`${name}Log`, log.node, log.line) ?? false
    return out
  }

  let x: DataRef | undefined
  const xEntry = get('x')
  if (xEntry && kind === 'line') x = ref('x', xEntry.node, xEntry.line)
  let xFrom = 0
  const xFromEntry = get('xFrom')
  if (xFromEntry && kind === 'line') {
    if (xEntry) fail(xFromEntry.line, '`xFrom` shifts the default x (0, 1, 2, …); with `x:` it has no use')
    xFrom = number('xFrom', xFromEntry.node, xFromEntry.line) ?? 0
  }
  let xStep: number | undefined
  const xStepEntry = get('xStep')
  if (xStepEntry && kind === 'line') {
    if (xEntry) fail(xStepEntry.line, '`xStep` spaces the default x (0, 1, 2, …); with `x:` it has no use')
    const v = number('xStep', xStepEntry.node, xStepEntry.line)
    if (v !== undefined && v > 0) xStep = v
    else if (v !== undefined) fail(xStepEntry.line, '`xStep` must be more than 0')
  }

  let categories: string[] | undefined
  const categoriesEntry = get('categories')
  if (kind === 'bar') {
    if (!categoriesEntry) fail(at.line + 1, 'a bar chart needs `categories:`, the labels of its groups of bars')
    else if (!isSeq(categoriesEntry.node) || categoriesEntry.node.items.length === 0) {
      fail(categoriesEntry.line, '`categories` must be a list of labels')
    } else {
      categories = categoriesEntry.node.items.map((item) => text('categories', item as YamlNode, lineOf(item, categoriesEntry.line)) ?? '')
    }
  }

  let height = DEFAULT_HEIGHT[kind]
  const heightEntry = get('height')
  if (heightEntry) {
    const v = number('height', heightEntry.node, heightEntry.line)
    if (v !== undefined && v >= 120 && v <= 800) height = v
    else if (v !== undefined) fail(heightEntry.line, '`height` must be between 120 and 800 (pixels)')
  }

  const series: SeriesSpec[] = []
  const seriesEntry = get('series')
  if (!seriesEntry) fail(at.line + 1, 'a figure needs `series:`, a list of { label, y }')
  else if (!isSeq(seriesEntry.node) || seriesEntry.node.items.length === 0) {
    fail(seriesEntry.line, '`series` must be a list of { label, y }')
  } else {
    const many = seriesEntry.node.items.length > 1
    seriesEntry.node.items.forEach((item, index) => {
      const line = lineOf(item, seriesEntry.line)
      if (!isMap(item)) {
        fail(line, 'a series must be a mapping, e.g. { label: REINFORCE, y: reinforce.curve }')
        return
      }
      const fields = new Map<string, { node: YamlNode | null; line: number }>()
      for (const pair of item.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : ''
        const keyLine = lineOf(pair.key, line)
        const message = misplaced(key, kind, SERIES_ONLY, ' of a series')
        if (!(SERIES_KEYS as readonly string[]).includes(key)) fail(keyLine, `unknown series key \`${key}\` (known: ${SERIES_KEYS.join(', ')})`)
        else if (message) fail(keyLine, message)
        else fields.set(key, { node: (pair.value as YamlNode | null) ?? null, line: keyLine })
      }
      const yField = fields.get('y')
      if (!yField) {
        fail(line, 'a series needs `y:`, a path into the results')
        return
      }
      if (kind === 'scatter' && !fields.has('x')) {
        fail(line, 'a scatter series needs `x:` as well as `y:`, one x a point')
      }
      const y = ref('y', yField.node, yField.line)
      const labelField = fields.get('label')
      let label = labelField ? text('label', labelField.node, labelField.line) : undefined
      if (!labelField && many) fail(line, 'each series of a figure with several needs a `label:`')
      if (!label && y) label = y.kind === 'array' ? y.path : 'values'
      const s: SeriesSpec = { label: label ?? '', y: y ?? { kind: 'points', paths: [], line }, axis: 'y', style: 'solid', color: index, line }
      const xField = fields.get('x')
      if (xField) {
        const sx = ref('x', xField.node, xField.line)
        if (sx) s.x = sx
      }
      const axisField = fields.get('axis')
      if (axisField) {
        const v = scalar(axisField.node)
        if (v === 'left' || v === 'right') s.axis = v === 'right' ? 'y2' : 'y'
        else fail(axisField.line, '`axis` must be `left` or `right`')
      }
      const styleField = fields.get('style')
      if (styleField) {
        const v = scalar(styleField.node)
        if (typeof v === 'string' && (STYLES as readonly string[]).includes(v)) s.style = v as SeriesStyle
        else fail(styleField.line, `\`style\` must be one of ${STYLES.join(', ')}`)
      }
      const colorField = fields.get('color')
      if (colorField) {
        const v = scalar(colorField.node)
        if (Number.isInteger(v) && (v as number) >= 1 && (v as number) <= PALETTE_SIZE) s.color = (v as number) - 1
        else fail(colorField.line, `\`color\` must be a whole number from 1 to ${PALETTE_SIZE} (the theme's figure colours)`)
      }
      const pointsField = fields.get('points')
      if (pointsField) {
        const v = flag('points', pointsField.node, pointsField.line)
        if (v !== undefined) s.points = v
      }
      series.push(s)
    })
  }

  const axes: FigureSpec['axes'] = { x: axis('x'), y: axis('y') }
  const y2Keys = ['y2Label', 'y2Min', 'y2Max', 'y2Log'].filter((k) => top.has(k))
  if (series.some((s) => s.axis === 'y2')) axes.y2 = axis('y2')
  else if (y2Keys.length) fail(top.get(y2Keys[0]!)!.line, `\`${y2Keys[0]}\` describes the right-hand axis, but no series has \`axis: right\``)

  if (errors.length) return { ok: false, errors }
  const spec: FigureSpec = {
    file: at.file,
    line: at.line,
    chapter,
    kind,
    ...(x && { x }),
    xFrom,
    ...(xStep !== undefined && { xStep }),
    ...(categories && { categories }),
    axes,
    series,
    height,
  }
  return { ok: true, figure: { spec, caption: caption!, captionLine } }
}

/** A fenced block found in a chapter: its content and the line of its opening fence. */
export interface FigureBlock {
  content: string
  line: number
}

/**
 * The fenced blocks of a chapter whose info string `marks` accepts, read with the book's
 * Markdown parser (the one the claims linter uses).
 */
export function findBlocks(source: string, marks: (info: string) => boolean): FigureBlock[] {
  const blocks: FigureBlock[] = []
  visit(parseMarkdown(source.replace(/\r\n?/g, '\n')), 'code', (node: Code) => {
    const info = `${node.lang ?? ''} ${node.meta ?? ''}`
    if (node.position && marks(info)) blocks.push({ content: node.value, line: node.position.start.line })
  })
  return blocks
}

/** The figure blocks of a chapter. */
export const findFigures = (source: string): FigureBlock[] => findBlocks(source, isFigureInfo)

/** The chapter a page is: `01-rl-basics.md` → `01-rl-basics`. */
export const chapterOf = (relativePath: string): string => relativePath.replace(/^.*\//, '').replace(/\.md$/, '')

/**
 * A figure's spec as a Vue prop: JSON (a JavaScript expression) in a single-quoted
 * attribute, with `'`, `<`, `>` and `&` written as \u escapes so nothing in it
 * needs HTML decoding.
 */
export function specAttribute(spec: FigureSpec): string {
  const json = JSON.stringify(spec).replace(/[<>&']/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  return `:spec='${json}'`
}

/** The page's HTML for a figure, its caption already rendered. */
export function renderFigure(spec: FigureSpec, captionHtml: string): string {
  return `<ResultFigure ${specAttribute(spec)}>${captionHtml}</ResultFigure>\n`
}

/** markdown-it plugin: render `yaml figure` blocks as `<ResultFigure>`; a bad spec fails the build with file:line. */
export function figuresPlugin(md: MarkdownRenderer): void {
  const fence = md.renderer.rules.fence
  md.renderer.rules.fence = (tokens, idx, options, env: { relativePath?: string }, self) => {
    const token = tokens[idx]!
    if (!isFigureInfo(token.info)) {
      return fence ? fence(tokens, idx, options, env, self) : self.renderToken(tokens, idx, options)
    }
    const relativePath = env?.relativePath ?? 'unknown.md'
    const parsed = parseFigure(token.content, {
      file: `chapters/${relativePath}`,
      line: (token.map?.[0] ?? 0) + 1,
      chapter: chapterOf(relativePath),
    })
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'))
    return renderFigure(parsed.figure.spec, md.renderInline(parsed.figure.caption, env))
  }
}
