/**
 * Links out of the book: a chapter may link to the code it produces
 * (`[gridworld](../src/rl/gridworld.ts)`) or to a file at the top of the repository
 * (`../README.md`). The site is built from `chapters/` only, so such links would be
 * dead (and `.md` ones fail the build); this rewrites every relative link that leaves
 * `chapters/` to the file's page in the repository.
 */
import path from 'node:path'
import type { MarkdownRenderer } from 'vitepress'

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

export function repoLinksPlugin(md: MarkdownRenderer, repoUrl: string, branch = 'main'): void {
  md.core.ruler.push('rlhf_repo_links', (state) => {
    const relativePath = (state.env as { relativePath?: string }).relativePath ?? ''
    for (const block of state.tokens) {
      for (const token of block.children ?? []) {
        if (token.type !== 'link_open') continue
        const href = token.attrGet('href')
        const target = href && outsideTarget(href, relativePath)
        if (target) token.attrSet('href', target === '.' ? repoUrl : `${repoUrl}/blob/${branch}/${target}`)
      }
    }
  })
}
