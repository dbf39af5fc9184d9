import { describe, expect, it } from 'vitest'
import { parseClaim, displayNumber, renderClaim } from '../.vitepress/markdown/claims.ts'
import { parseFenceInfo, chunkId } from '../.vitepress/markdown/fences.ts'
import { outsideTarget } from '../.vitepress/markdown/links.ts'
import { editPattern, fileUrl, findRepository, repositoryUrl } from '../.vitepress/repository.ts'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

describe('claims', () => {
  it('shows the number as written and the tolerance the checker uses, in the same unit', () => {
    expect(parseClaim('0.93 @qlearning.successRate')).toEqual({ text: '0.93', path: 'qlearning.successRate', tolerance: '0.005' })
    expect(parseClaim('93% @x ±2%')).toMatchObject({ text: '93%', tolerance: '2%' })
    expect(parseClaim('93% @x')).toMatchObject({ tolerance: '0.5%' })
    expect(parseClaim('0.93 @a.b ± 0.02')).toMatchObject({ tolerance: '0.02' })
    expect(parseClaim('0.93 @x ±2%')).toMatchObject({ tolerance: '0.02' })
    expect(parseClaim('-1.5e-3 @loss.final')).toMatchObject({ text: '-1.5e-3', tolerance: '0.00005' })
    expect(parseClaim('412 @episodes[0]')).toMatchObject({ path: 'episodes[0]', tolerance: '0.5' })
  })
  it('leaves other inline code alone', () => {
    for (const s of ['foo(bar)', '0.93', '@x', '0.93 not a claim', 'x @y']) expect(parseClaim(s)).toBeNull()
  })
  it('renders a plain number with a title naming the result', () => {
    expect(displayNumber('-1.5e-3')).toBe('\u22121.5×10<sup>\u22123</sup>')
    expect(displayNumber('2e+4')).toBe('2×10<sup>4</sup>')
    expect(renderClaim(parseClaim('0.93 @q.rate')!, '0.93 @q.rate', { file: 'chapters/01-x.md', line: 42 })).toBe(
      '<span class="claim" title="checked by test/chapters.test.ts › chapters/01-x.md › line 42: results.q.rate, to the digits shown (±0.005 on other backends)"' +
        ' data-claim="q.rate" data-raw="0.93 @q.rate">0.93</span>',
    )
  })
  it('says which chapter\'s record a claim about another chapter is checked against', () => {
    expect(renderClaim(parseClaim('0.87 @04-ppo:ppo.score ±0.03')!, '0.87 @04-ppo:ppo.score ±0.03')).toBe(
      '<span class="claim" title="checked by test/chapters.test.ts: the recorded results of chapter 04-ppo, ppo.score, to the digits shown"' +
        ' data-claim="04-ppo:ppo.score" data-raw="0.87 @04-ppo:ppo.score ±0.03">0.87</span>',
    )
  })
  it('renders a comparison as what it shows, and names the ranking it checks', () => {
    const both = '0.95 @a > 0.92 @b'
    expect(renderClaim(parseClaim(both)!, both)).toBe(
      '<span class="claim" title="checked by test/chapters.test.ts: results.a, to the digits shown (±0.005 on other backends); and a &gt; b"' +
        ' data-claim="a" data-raw="0.95 @a &gt; 0.92 @b">0.95 &gt; 0.92</span>',
    )
    const hidden = '95% @a > @b margin 2'
    expect(renderClaim(parseClaim(hidden)!, hidden)).toMatch(/; and a &gt; b by a margin of 2%" .*>95%<\/span>$/)
    expect(parseClaim('1.5 @kl < 2')).toMatchObject({ compare: { op: '<', shown: '2', words: 'kl < 2' } })
  })
})

describe('fence info strings', () => {
  it('reads the four kinds', () => {
    expect(parseFenceInfo('ts file=src/rl/gridworld.ts')).toEqual({ lang: 'ts', kind: 'file', label: 'src/rl/gridworld.ts', rest: '' })
    expect(parseFenceInfo('ts chunk="update the Q-table"')).toEqual({ lang: 'ts', kind: 'chunk', label: 'update the Q-table', rest: '' })
    expect(parseFenceInfo('typescript read-only')).toMatchObject({ lang: 'typescript', kind: 'read-only' })
    expect(parseFenceInfo('text output')).toMatchObject({ lang: 'text', kind: 'output', label: 'output' })
  })
  it('captions output blocks with their tolerance and backend, and leaves plain fences alone', () => {
    expect(parseFenceInfo('text output tol=0.05')).toMatchObject({ kind: 'output', label: 'output', rest: '' })
    expect(parseFenceInfo('text output backend=wasm')).toMatchObject({ kind: 'output', label: 'output (exact on wasm)' })
    expect(parseFenceInfo('sh')).toEqual({ lang: 'sh', kind: null, label: null, rest: '' })
    expect(parseFenceInfo('ts')).toMatchObject({ kind: null })
  })
  it('makes chunk anchors', () => {
    expect(chunkId('update the Q-table')).toBe('chunk-update-the-q-table')
  })
})

describe('links out of chapters/', () => {
  it('points links that leave chapters/ at the repository', () => {
    expect(outsideTarget('../src/rl/gridworld.ts', '01-rl-basics.md')).toBe('src/rl/gridworld.ts')
    expect(outsideTarget('../README.md#set-up', '01-rl-basics.md')).toBe('README.md#set-up')
  })
  it('leaves links within the book, anchors and absolute URLs alone', () => {
    for (const href of ['./02-x.md', '02-x.md#a', '#a', '/02-x', 'https://example.com', 'mailto:a@b']) {
      expect(outsideTarget(href, '01-rl-basics.md')).toBeNull()
    }
  })
})

describe('the repository the site links to', () => {
  const github = { url: 'https://github.com/someone/rlhf-executed', host: 'github' }
  it("reads package.json's forms and git remotes as the repository's web address", () => {
    for (const form of [
      'someone/rlhf-executed',
      'github:someone/rlhf-executed',
      'https://github.com/someone/rlhf-executed',
      'https://github.com/someone/rlhf-executed.git',
      { type: 'git', url: 'git+https://github.com/someone/rlhf-executed.git' },
      'git@github.com:someone/rlhf-executed.git',
      'ssh://git@github.com/someone/rlhf-executed',
    ]) {
      expect(repositoryUrl(form), JSON.stringify(form)).toEqual(github)
    }
    expect(repositoryUrl('gitlab:group/sub/book')).toEqual({ url: 'https://gitlab.com/group/sub/book', host: 'gitlab' })
  })
  it('takes no address from a local path, another host, a placeholder or nothing', () => {
    for (const form of [undefined, null, '', '/srv/git/book.git', 'file:///srv/git/book', '../book', 'https://example.com/a/b', 'https://github.com/OWNER/rlhf-executed', 'https://github.com/someone', { url: 42 }]) {
      expect(repositoryUrl(form), JSON.stringify(form)).toBeNull()
    }
  })
  it("takes package.json's repository first, then the git remote, else none", () => {
    const dir = mkdtempSync(join(tmpdir(), 'rlhf-repo-'))
    try {
      const manifest = (fields: object) => writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', ...fields }))
      const remote = () => 'git@github.com:other/fork.git'
      manifest({})
      expect(findRepository(dir, () => null)).toBeNull()
      expect(findRepository(dir, () => '/tmp/clone-of-main')).toBeNull()
      expect(findRepository(dir, remote)).toEqual({ url: 'https://github.com/other/fork', host: 'github', branch: 'main', from: 'git remote origin' })
      manifest({ repository: { type: 'git', url: 'https://gitlab.com/someone/book.git', branch: 'trunk' } })
      const repo = findRepository(dir, remote)
      expect(repo).toEqual({ url: 'https://gitlab.com/someone/book', host: 'gitlab', branch: 'trunk', from: 'package.json' })
      expect(fileUrl(repo!, 'src/rl/gridworld.ts')).toBe('https://gitlab.com/someone/book/-/blob/trunk/src/rl/gridworld.ts')
      expect(editPattern(repo!)).toBe('https://gitlab.com/someone/book/-/edit/trunk/chapters/:path')
      manifest({ repository: 'https://github.com/OWNER/rlhf-executed' })
      expect(findRepository(dir, remote), 'a placeholder in package.json: no links, not the remote').toBeNull()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
  it('finds none for this repository, which names none', () => {
    expect(findRepository(join(import.meta.dirname, '..'), () => null)).toBeNull()
  })
})
