/**
 * Links out of the book: a chapter may link to the code it produces
 * (`[gridworld](../src/rl/gridworld.ts)`) or to a file at the top of the repository
 * (`../README.md`). The site is built from `chapters/` only, so such links would be
 * dead (and `.md` ones fail the build); this rewrites every relative link that leaves
 * `chapters/` to the file's page in the repository, or, when the book knows no
 * repository (`.vitepress/repository.ts`), to its text without a link.
 */
import path from 'node:path'
import type { MarkdownRenderer } from 'vitepress'
import { fileUrl, type Repository } from '../repository.ts'

/**
 * Where a relative link from `chapters/<relativePath>` points, if outside `chapters/`:
 * its path from the repository root; otherwise `null`. Pure, for unit tests.
 */
export function outsideTarget(href: string, relativePath: string): string | null {
  if (/^[a-z][a-z\d+.-]*:/i.test(href) || href.startsWith('/') || href.startsWith('#')) return null
  const [target = '', hash = ''] = href.split(/(?=#)/, 2)
  const fromRoot = path.posix.normalize(path.posix.join('chapters', path.posix.dirname(relativePath), target))
  if (fromRoot === 'chapters' || fromRoot.startsWith('chapters/')) return null
  if (fromRoot.startsWith('../')) return null // leaves the repository: leave it to VitePress
  return fromRoot + hash
}

export function repoLinksPlugin(md: MarkdownRenderer, repo: Repository | null): void {
  md.core.ruler.push('rlhf_repo_links', (state) => {
    const relativePath = (state.env as { relativePath?: string }).relativePath ?? ''
    for (const block of state.tokens) {
      const tokens = block.children ?? []
      tokens.forEach((token, i) => {
        if (token.type !== 'link_open') return
        const href = token.attrGet('href')
        const target = href && outsideTarget(href, relativePath)
        if (!target) return
        if (repo) {
          token.attrSet('href', target === '.' ? repo.url : fileUrl(repo, target))
          return
        }
        // No repository to point at: the link's text stays, as text.
        const close = tokens.findIndex((t, j) => j > i && t.type === 'link_close' && t.level === token.level)
        for (const t of [token, tokens[close]]) {
          if (!t) continue
          t.tag = 'span'
          t.type = t === token ? 'repo_link_none_open' : 'repo_link_none_close'
          t.attrs = t === token ? [['class', 'repo-link-none']] : null
        }
      })
    }
  })
}
