// The site's Run box, the parts that need no browser: comparing a run's results with
// the page's claims, placing the box, and naming the test that checks each claim.
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createMarkdownRenderer, type MarkdownRenderer } from 'vitepress'
import { beforeAll, describe, expect, it } from 'vitest'
import { checkClaim, showComputed, tally } from '../.vitepress/theme/run/compare.ts'
import { runBoxPlugin, runnableChapter } from '../.vitepress/markdown/run-box.ts'
import { claimsPlugin } from '../.vitepress/markdown/claims.ts'

describe('a run compared with the claims', () => {
  const results = { q: { rate: 0.934, share: 0.5 }, curve: [1, 2] }
  it('uses the claims suite’s tolerance: half a unit of the last digit, or the one given', () => {
    expect(checkClaim('0.93 @q.rate', results)).toMatchObject({ status: 'ok', computed: 0.934 })
    expect(checkClaim('0.94 @q.rate', results)).toMatchObject({ status: 'off', stated: 0.94 })
    expect(checkClaim('0.94 @q.rate ±0.01', results)).toMatchObject({ status: 'ok' })
    expect(checkClaim('50% @q.share', results)).toMatchObject({ status: 'ok', stated: 0.5 })
    expect(checkClaim('2 @curve[1]', results)).toMatchObject({ status: 'ok' })
  })
  it('says when a path is not in the results, and leaves claims about other chapters alone', () => {
    expect(checkClaim('1 @q.nothing', results)).toMatchObject({ status: 'missing', path: 'q.nothing' })
    expect(checkClaim('0.87 @04-ppo:ppo.score', results)).toEqual({ status: 'cited', raw: '0.87 @04-ppo:ppo.score', chapter: '04-ppo' })
  })
  it('is exact on wasm, the book’s backend, and checks the comparisons the run can check', () => {
    expect(checkClaim('0.94 @q.rate ±0.01', results, true)).toMatchObject({ status: 'off', tolerance: 0.005 })
    expect(checkClaim('0.93 @q.rate > 50% @q.share', results, true)).toMatchObject({ status: 'ok' })
    expect(checkClaim('0.93 @q.rate < @q.share', results)).toMatchObject({ status: 'off', message: expect.stringContaining('q.rate < q.share') })
    expect(checkClaim('0.93 @q.rate < @04-ppo:x', results)).toMatchObject({ status: 'ok' })
  })
  it('shows a percentage claim’s value as a percentage, and tallies', () => {
    expect(showComputed(checkClaim('50% @q.share', results))).toBe('50%')
    expect(showComputed(checkClaim('0.93 @q.rate', results))).toBe('0.934')
    const checks = ['0.93 @q.rate', '0.94 @q.rate', '0.87 @04-ppo:x'].map((raw) => checkClaim(raw, results))
    expect(tally(checks)).toEqual({ checked: 2, passed: 1, cited: 1 })
  })
})

/** A repository with two chapters, one with a program, rendered by VitePress with the site's plugins. */
const root = mkdtempSync(join(tmpdir(), 'rlhf-site-'))
const chapterSource = ['# 01 · X', '', 'Rate `0.93 @q.rate`, and', 'again `0.93 @q.rate` here.', '', '| a |', '| - |', '| `2 @curve[1]` |', ''].join('\n')
let md: MarkdownRenderer

beforeAll(async () => {
  mkdirSync(join(root, 'chapters'))
  mkdirSync(join(root, 'src', 'chapters'), { recursive: true })
  writeFileSync(join(root, 'src', 'chapters', '01-x.ts'), 'export async function main() { return {} }\n')
  writeFileSync(join(root, 'chapters', '01-x.md'), chapterSource)
  writeFileSync(join(root, 'chapters', '02-y.md'), '# 02 · Y\n')
  md = await createMarkdownRenderer(join(root, 'chapters'), {
    config(renderer) {
      renderer.use(claimsPlugin, join(root, 'chapters'))
      renderer.use(runBoxPlugin, root)
    },
  })
})

describe('the Run box on the page', () => {
  it('goes under the title of a chapter that has a program, and nowhere else', () => {
    expect(runnableChapter(root, '01-x.md')).toBe('01-x')
    expect(runnableChapter(root, '02-y.md')).toBeNull()
    expect(runnableChapter(root, 'index.md')).toBeNull()
    const html = md.render('# 01 · X\n\ntext\n', { relativePath: '01-x.md' })
    expect(html).toMatch(/<\/h1>\n<RunBox chapter="01-x" \/>\n<p>text<\/p>/)
    expect(md.render('# 02 · Y\n', { relativePath: '02-y.md' })).not.toContain('RunBox')
  })
  it('names the line of the test that checks each claim, occurrence by occurrence', () => {
    const html = md.render(readFileSync(join(root, 'chapters', '01-x.md'), 'utf8'), { relativePath: '01-x.md' })
    const titles = [...html.matchAll(/class="claim" title="([^"]*)"/g)].map((m) => m[1])
    expect(titles).toEqual([
      'checked by test/chapters.test.ts › chapters/01-x.md › line 3: results.q.rate, to the digits shown (±0.005 on other backends)',
      'checked by test/chapters.test.ts › chapters/01-x.md › line 4: results.q.rate, to the digits shown (±0.005 on other backends)',
      'checked by test/chapters.test.ts › chapters/01-x.md › line 8: results.curve[1], to the digits shown (±0.5 on other backends)',
    ])
  })
})
