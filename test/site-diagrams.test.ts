// Diagrams: ```dot diagram blocks rendered by Graphviz at build time into inline SVG
// figures (.vitepress/markdown/diagrams.ts), and every diagram of the book renders.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createMarkdownRenderer, type MarkdownRenderer } from 'vitepress'
import { beforeAll, describe, expect, it } from 'vitest'
import { diagramInfo, diagramsPlugin, findDiagrams, layoutText, renderDiagram } from '../.vitepress/markdown/diagrams.ts'
import { fencesPlugin } from '../.vitepress/markdown/fences.ts'

const root = join(import.meta.dirname, '..')
const at = { file: 'chapters/01-x.md', line: 10 }

/** The width of the first node's box in an SVG. */
const boxWidth = (svg: string): number => {
  const node = svg.slice(svg.indexOf('class="node'))
  const xs = [.../(?:points|d)="([^"]+)"/.exec(node)![1]!.matchAll(/-?[\d.]+(?=,)/g)].map((m) => Number(m[0]))
  return Math.max(...xs) - Math.min(...xs)
}

describe('the info string', () => {
  it('marks a diagram `dot diagram`, with an optional caption', () => {
    expect(diagramInfo('dot diagram caption="The *four* models."')).toEqual({ ok: true, caption: 'The *four* models.' })
    expect(diagramInfo('dot diagram')).toEqual({ ok: true, caption: undefined })
  })
  it('leaves every other block alone, a plain `dot` block included', () => {
    for (const info of ['dot', 'ts', 'ts file=src/x.ts', 'text output', 'yaml figure', 'graphviz diagram', '']) expect(diagramInfo(info)).toBeNull()
    const source = '# T\n\n```dot diagram\ndigraph { a }\n```\n\n```dot\ndigraph { b }\n```\n'
    expect(findDiagrams(source)).toEqual([{ content: 'digraph { a }', line: 3 }])
  })
  it('refuses words it does not know, two captions, and a claim nothing would check', () => {
    expect(diagramInfo('dot diagram colour=red')).toMatchObject({ ok: false, message: expect.stringContaining('unknown `colour=`') })
    expect(diagramInfo('dot diagram caption="a" caption="b"')).toMatchObject({ ok: false, message: 'two captions in the info string' })
    expect(diagramInfo('dot diagram caption="It scores `0.88 @sft.score`."')).toMatchObject({ ok: false, message: expect.stringContaining('a claim') })
  })
})

describe('the SVG', () => {
  const svg = renderDiagram('digraph {\n  a [label="actor", class=trained]\n  a -> b [label="samples"]\n}\n', at)
  it('is inline SVG for the page: no prolog, comments or tooltips, sized in pixels, no background', () => {
    expect(svg).toMatch(/^<svg role="img" width="\d+" height="\d+"\s+viewBox="[\d. ]+"/)
    expect(svg).not.toMatch(/<\?xml|<!DOCTYPE|<!--|<title>|pt"/)
    expect(svg).not.toMatch(/fill="white"/)
    expect(svg).toMatch(/<\/svg>$/)
  })
  it('draws in the text colour, and keeps the classes the stylesheet colours', () => {
    expect(svg).not.toMatch(/"black"/)
    expect(svg).toContain('stroke="currentColor"')
    expect(svg).toMatch(/<g id="node1" class="node trained">/)
    expect(svg).toContain('>actor</text>')
  })
  it('measures Chinese characters as one em each, and shows them as written', () => {
    const chinese = renderDiagram('digraph { a [label="奖励模型"] }', at)
    expect(chinese).toContain('>奖励模型</text>')
    expect(boxWidth(chinese)).toBeCloseTo(boxWidth(renderDiagram('digraph { a [label="xxxxxxxx"] }', at)), 1)
    expect(layoutText('“a” 演员 π — R̂')).toBe('rar xxxx n xx R')
  })
  it('fails with the chapter line of a DOT error', () => {
    expect(() => renderDiagram('digraph {\n  a -> b\n  c -> }\n', at)).toThrow(/^chapters\/01-x\.md:13: diagram: syntax error near '}'$/)
  })
  it('wants node names it can measure the same either way', () => {
    expect(() => renderDiagram('digraph { 演员 -> 奖励 }', at)).toThrow('chapters/01-x.md:10: diagram: the graph changes when its non-ASCII text is measured')
  })
  it('fails rather than draw an empty figure', () => {
    expect(() => renderDiagram('digraph { }', at)).toThrow('chapters/01-x.md:10: diagram: the graph has no nodes: it would draw an empty figure')
  })
})

describe('a diagram on the page', () => {
  let md: MarkdownRenderer
  beforeAll(async () => {
    md = await createMarkdownRenderer(join(root, 'chapters'), {
      config(renderer) {
        renderer.use(fencesPlugin)
        renderer.use(diagramsPlugin)
      },
    })
  })
  const page = (fence: string, body: string) => ['# 01 · X', '', fence, ...body.split('\n'), '```', ''].join('\n')

  it('is a figure: the SVG, then its caption rendered as Markdown, labelling it', () => {
    const html = md.render(page('```dot diagram caption="The *two* models."', 'digraph {\n  a -> b\n}'), { relativePath: '01-x.md' })
    expect(html).toMatch(/<figure class="diagram"><div class="diagram-svg" v-pre><svg aria-labelledby="diagram-3" role="img" width=/)
    expect(html).toMatch(/<\/svg><\/div><figcaption id="diagram-3">The <em>two<\/em> models\.<\/figcaption><\/figure>/)
  })
  it('leaves a `dot` block without `diagram` as code', () => {
    const html = md.render(page('```dot', 'digraph { a -> b }'), { relativePath: '01-x.md' })
    expect(html).not.toContain('<figure')
    expect(html).toContain('language-dot')
  })
  it('stops the build with one line naming the chapter line', () => {
    expect(() => md.render(page('```dot diagram', 'digraph {\n  a -> \n}'), { relativePath: '01-x.md' })).toThrow(
      /^chapters\/01-x\.md:6: diagram: syntax error near '}'$/,
    )
    expect(() => md.render(page('```dot diagram size=2', 'digraph { a }'), { relativePath: '01-x.md' })).toThrow(
      /^chapters\/01-x\.md:3: diagram: unknown `size=`/,
    )
  })
})

describe('the book’s diagrams', () => {
  const chapters = readdirSync(join(root, 'chapters')).filter((f) => f === 'index.md' || /^\d\d-.*\.md$/.test(f))
  const blocks = chapters.flatMap((name) =>
    findDiagrams(readFileSync(join(root, 'chapters', name), 'utf8')).map((block) => ({ name, ...block })),
  )
  it('are where the chapters need them: the pipeline in 00, PPO’s four models in 04, DPO against PPO in 05', () => {
    const count = (prefix: string) => blocks.filter((b) => b.name.startsWith(prefix)).length
    expect([count('00-'), count('04-'), count('05-')]).toEqual([1, 1, 1])
  })
  it.each(blocks.map((b) => [`chapters/${b.name}:${b.line}`, b] as const))('%s renders', (_where, b) => {
    expect(renderDiagram(b.content, { file: `chapters/${b.name}`, line: b.line })).toMatch(/^<svg /)
  })
})
