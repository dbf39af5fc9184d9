/**
 * Diagrams: a chapter draws a picture made of text with a fenced block of Graphviz DOT,
 *
 *   ```dot diagram caption="PPO's four models, and what flows between them."
 *   digraph {
 *     actor [label="actor", class=trained]
 *     actor -> answers [label="samples"]
 *   }
 *   ```
 *
 * which GitHub shows as a DOT code block and the site as the laid-out graph: Graphviz
 * (compiled to WebAssembly, `@viz-js/viz`) renders it at build time into inline SVG in a
 * `<figure class="diagram">`, above its caption (inline Markdown in the info string,
 * optional). No script runs in the reader's browser.
 *
 * The SVG follows the theme: lines and text are `currentColor`, the page background shows
 * through, and a node with `class=trained`, `frozen`, `step`, `data` or `loss`, or an edge
 * with `class=shortcut`, is coloured by `.vitepress/theme/diagrams.css`, in the light and
 * in the dark theme: give a diagram's parts classes, not colours (text is always drawn in
 * the page's colours). Text is measured with Graphviz's Helvetica widths and drawn in
 * Helvetica or Arial (the same widths), Chinese terms in the book's CJK face.
 *
 * A DOT error, an unknown word in the info string, a caption with a claim in it (a
 * diagram's caption is checked by nothing) or a graph that draws nothing fails the build
 * with one line, `chapters/NN-name.md:LINE: diagram: …`.
 */
import { instance, type Viz } from '@viz-js/viz'
import type { MarkdownRenderer } from 'vitepress'
import { parseInfo } from '../../scripts/tangle/info.ts'
import { parseClaim } from './claims.ts'
import { findBlocks, type FigureBlock } from './figures.ts'

/** Graphviz, loaded once: markdown-it's renderers are synchronous, so it must be ready before the first page. */
const viz: Viz = await instance()

/** What a diagram fence's info string says: `dot diagram caption="…"`. */
export type DiagramInfo = { ok: true; caption: string | undefined } | { ok: false; message: string }

/** The fence's info string read as a diagram's: null when it is not a diagram (any other block, `dot` without `diagram` included). */
export function diagramInfo(info: string): DiagramInfo | null {
  const trimmed = info.trim()
  const lang = trimmed.split(/\s+/, 1)[0] ?? ''
  if (lang !== 'dot') return null
  const parsed = parseInfo(trimmed.slice(lang.length))
  if (!parsed.ok) return /(?:^|\s)diagram(?:\s|$)/.test(trimmed) ? { ok: false, message: parsed.message } : null
  if (!parsed.tokens.some((t) => t.name === 'diagram' && t.value === undefined)) return null
  let caption: string | undefined
  for (const t of parsed.tokens) {
    if (t.name === 'diagram' && t.value === undefined) continue
    if (t.name === 'caption' && t.value !== undefined) {
      if (caption !== undefined) return { ok: false, message: 'two captions in the info string' }
      caption = t.value.trim()
      continue
    }
    return { ok: false, message: `unknown \`${t.value === undefined ? t.name : `${t.name}=`}\` in the info string (a diagram takes \`diagram\` and \`caption="…"\`)` }
  }
  for (const m of (caption ?? '').matchAll(/`([^`]+)`/g)) {
    if (parseClaim(m[1]!)) return { ok: false, message: `the caption states \`${m[1]}\`, a claim nothing would check: say it in the prose` }
  }
  return { ok: true, caption: caption || undefined }
}

/** The defaults every diagram is laid out with (its own DOT may override them): the book's sizes, Helvetica's widths. */
const DEFAULTS = {
  graphAttributes: { fontname: 'Helvetica', fontsize: 14, bgcolor: 'transparent', pad: 0.05, nodesep: 0.3, ranksep: 0.35 },
  nodeAttributes: { fontname: 'Helvetica', fontsize: 14, shape: 'box', style: 'rounded', margin: '0.14,0.06', height: 0.4 },
  edgeAttributes: { fontname: 'Helvetica', fontsize: 12, arrowsize: 0.7 },
}

/** Graphviz's warning when a character is missing from its width table: expected, see `layoutText`. */
const WIDTH_FALLBACK = /no value for width of non-ASCII character/

/** Stand-ins of about the same width in Helvetica/Arial for the non-ASCII characters Graphviz cannot measure. */
const STAND_INS: Record<string, string> = { '“': 'r', '”': 'r', '‘': 'l', '’': 'l', '—': 'xx', '–': 'n', '−': '+', '×': '+', '·': '.', '…': 'xx' }
const CJK = /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]/
const COMBINING = /[\u0300-\u036f]/

/**
 * `dot` with every non-ASCII character replaced by ASCII of about its width. Graphviz
 * measures text with a table of Helvetica's ASCII widths and guesses the rest from their
 * UTF-8 bytes: a Chinese character, one em wide, would count as 0.83 em, and a box around
 * 奖励模型 would be too narrow. So the layout is made on this text (`xx` is one em, as a
 * CJK character is in any CJK face), and the real text is put back into the laid-out SVG.
 */
export function layoutText(dot: string): string {
  return dot.replace(/[^\x00-\x7f]/g, (c) => STAND_INS[c] ?? (CJK.test(c) ? 'xx' : COMBINING.test(c) ? '' : 'n'))
}

const TEXT = /(<text\b[^>]*>)([^<]*)<\/text>/g

/**
 * Lay out `dot` as SVG for the page, or throw one line naming the chapter line:
 * `at.line` is the line of the opening fence, so line N of the DOT is `at.line + N`.
 */
export function renderDiagram(dot: string, at: { file: string; line: number }): string {
  const fail = (message: string, dotLine?: number): never => {
    throw new Error(`${at.file}:${at.line + (dotLine ?? 0)}: diagram: ${message}`)
  }
  const real = viz.render(dot, { format: 'svg', ...DEFAULTS })
  const problems = real.errors.filter((e) => e.level === 'error' || !WIDTH_FALLBACK.test(e.message))
  if (real.status !== 'success' || problems.length) {
    const first = problems[0]?.message ?? 'Graphviz could not lay it out'
    const line = /\bin line (\d+)/.exec(first)?.[1]
    fail(first.replace(/^(?:Error|Warning): /, '').replace(/\s*\bin line \d+/, '').trim(), line ? Number(line) : undefined)
  }
  if (!/<g id="node\d+" class="node\b/.test(real.output!)) fail('the graph has no nodes: it would draw an empty figure')
  // The layout of the stand-in text, with the real text put back, element by element.
  const laid = viz.render(layoutText(dot), { format: 'svg', ...DEFAULTS })
  const texts = [...real.output!.matchAll(TEXT)].map((m) => m[2]!)
  let index = 0
  let same = laid.status === 'success'
  const svg = (laid.output ?? '').replace(TEXT, (_, open: string, content: string) => {
    const text = texts[index++] ?? ''
    if (layoutText(text) !== content) same = false
    return `${open}${text}</text>`
  })
  if (!same || index !== texts.length) fail('the graph changes when its non-ASCII text is measured: give nodes ASCII names, and put other text in quotes')
  return themeSvg(svg)
}

/**
 * Graphviz's SVG made part of the page: no XML prolog, comments or tooltips; width and
 * height in CSS pixels (one per point, so a 14-point label is 14 px, as in the prose);
 * no background; black lines and arrowheads drawn in the text colour.
 */
export function themeSvg(svg: string): string {
  return svg
    .replace(/^[\s\S]*?(?=<svg\b)/, '')
    .replace(/<!--[\s\S]*?-->\n?/g, '')
    .replace(/<title>[\s\S]*?<\/title>\n?/g, '')
    .replace(/<svg width="([\d.]+)pt" height="([\d.]+)pt"/, (_, w: string, h: string) => `<svg width="${Math.ceil(Number(w))}" height="${Math.ceil(Number(h))}"`)
    .replace(/(<g id="graph0" class="graph"[^>]*>\n)<polygon fill="(?:white|transparent)" stroke="none"[^>]*\/>\n/, '$1')
    .replace(/\b(fill|stroke)="black"/g, '$1="currentColor"')
    .replace(/<svg /, '<svg role="img" ')
    .trim()
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** The page's HTML for a diagram: its SVG, and its caption already rendered (inline HTML) if it has one. */
export function diagramFigure(svg: string, captionHtml: string | undefined, id: string): string {
  const labelled = captionHtml === undefined ? svg : svg.replace(/<svg /, `<svg aria-labelledby="${escapeHtml(id)}" `)
  const caption = captionHtml === undefined ? '' : `<figcaption id="${escapeHtml(id)}">${captionHtml}</figcaption>`
  return `<figure class="diagram"><div class="diagram-svg" v-pre>${labelled}</div>${caption}</figure>\n`
}

/** The diagram blocks of a chapter: the DOT of each, and the line of its opening fence. */
export const findDiagrams = (source: string): FigureBlock[] => findBlocks(source, (info) => diagramInfo(info) !== null)

/** markdown-it plugin: render `dot diagram` blocks as inline SVG figures; a bad one fails the build with file:line. */
export function diagramsPlugin(md: MarkdownRenderer): void {
  const fence = md.renderer.rules.fence
  md.renderer.rules.fence = (tokens, idx, options, env: { relativePath?: string }, self) => {
    const token = tokens[idx]!
    const info = diagramInfo(token.info)
    if (!info) return fence ? fence(tokens, idx, options, env, self) : self.renderToken(tokens, idx, options)
    const file = `chapters/${env?.relativePath ?? 'unknown.md'}`
    const line = (token.map?.[0] ?? 0) + 1
    if (!info.ok) throw new Error(`${file}:${line}: diagram: ${info.message}`)
    const svg = renderDiagram(token.content, { file, line })
    return diagramFigure(svg, info.caption === undefined ? undefined : md.renderInline(info.caption, env), `diagram-${line}`)
  }
}
