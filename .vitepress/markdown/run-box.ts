/**
 * The "Run it yourself" box under a chapter's title: `<RunBox chapter="05-dpo" />`
 * (`.vitepress/theme/run/RunBox.vue`), inserted after the first `# heading` of every
 * chapter whose program, `src/chapters/NN-name.ts`, exists.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { MarkdownRenderer } from 'vitepress'
import { CHAPTER_FILE_RE } from '../chapters.ts'

/** The chapter a page is, by its file name (`05-dpo`), if it has a program under `root/src/chapters/`. */
export function runnableChapter(root: string, relativePath: string): string | null {
  if (!CHAPTER_FILE_RE.test(relativePath)) return null
  const name = relativePath.replace(/\.md$/, '')
  return fs.existsSync(path.join(root, 'src', 'chapters', `${name}.ts`)) ? name : null
}

export function runBoxPlugin(md: MarkdownRenderer, root: string): void {
  md.core.ruler.push('rlhf_run_box', (state) => {
    const chapter = runnableChapter(root, (state.env as { relativePath?: string }).relativePath ?? '')
    if (!chapter) return
    const close = state.tokens.findIndex((t) => t.type === 'heading_close' && t.tag === 'h1')
    if (close < 0) return
    const box = new state.Token('html_block', '', 0)
    box.content = `<RunBox chapter="${chapter}" />\n`
    state.tokens.splice(close + 1, 0, box)
  })
}
