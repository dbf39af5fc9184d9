import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfigWithTheme, type DefaultTheme } from 'vitepress'
import { chapterMap, readChapters, resolveHomeLinks, sidebar, nonChapterFiles, type MapPart } from './chapters.ts'
import { claimsPlugin } from './markdown/claims.ts'
import { fencesPlugin, chunkId } from './markdown/fences.ts'
import { figuresPlugin } from './markdown/figures.ts'
import { diagramsPlugin } from './markdown/diagrams.ts'
import { repoLinksPlugin } from './markdown/links.ts'
import { runBoxPlugin } from './markdown/run-box.ts'
import { mathPlugin } from './markdown/math.ts'
import { currentCheckpoints } from '../scripts/checkpoints.ts'
import { editPattern, findRepository } from './repository.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
/**
 * The book's repository (package.json's `repository`, else the git remote): "Source", the
 * repository icon, "Edit this chapter" and links out of chapters/ follow it; none without one.
 */
const repo = findRepository(root)
const srcDir = path.join(root, 'chapters')
const chapters = readChapters(srcDir)

/** A line of code that is only a chunk reference, `// <<name>>`. */
const CHUNK_REF_RE = /^\s*\/\/\s*<<(.+)>>\s*$/

/**
 * The default theme's settings, the book's map for the home page, and the checkpoints
 * (chapters/public/checkpoints) made by the code this site is built from: only those
 * may stand in for training in the reader's browser.
 */
export type BookThemeConfig = DefaultTheme.Config & { chapterMap: MapPart[]; checkpoints: string[] }

export default defineConfigWithTheme<BookThemeConfig>({
  title: 'RLHF, Executed',
  description: 'An executable textbook of LLM alignment, in TypeScript',
  lang: 'en',
  srcDir: 'chapters',
  // Only the home page and `NN-name.md` chapters are pages: READMEs, notes, subfolders are not.
  srcExclude: ['**/README.md', ...nonChapterFiles(srcDir)],
  cleanUrls: true,
  lastUpdated: false,
  head: [['link', { rel: 'icon', type: 'image/svg+xml', href: '/favicon.svg' }]],

  vite: {
    // The Run button's worker loads each chapter's program as a chunk of its own.
    worker: { format: 'es' },
  },

  markdown: {
    config(md) {
      md.use(mathPlugin, srcDir) // KaTeX, at build time (.vitepress/markdown/math.ts)
      md.use(claimsPlugin, srcDir)
      md.use(fencesPlugin)
      md.use(figuresPlugin)
      md.use(diagramsPlugin) // Graphviz DOT to inline SVG, at build time (.vitepress/markdown/diagrams.ts)
      md.use(repoLinksPlugin, repo)
      md.use(runBoxPlugin, root)
    },
    codeTransformers: [
      {
        // A `// <<name>>` reference line links to the chunk's definition in the same chapter.
        name: 'rlhf:chunk-references',
        line(node, line) {
          const name = CHUNK_REF_RE.exec(this.source.split('\n')[line - 1] ?? '')?.[1]
          if (!name) return
          this.addClassToHast(node, 'chunk-ref')
          node.children = [
            {
              type: 'element',
              tagName: 'a',
              properties: { href: `#${chunkId(name.trim())}`, class: 'chunk-ref-link' },
              children: node.children,
            },
          ]
        },
      },
    ],
  },

  // Home-page links written `/chapter/NN` point at chapter NN; a part not written yet says so.
  transformPageData(pageData) {
    if (pageData.relativePath === 'index.md') resolveHomeLinks(pageData.frontmatter, chapters)
  },

  themeConfig: {
    nav: [
      ...(chapters[0] ? [{ text: 'Read', link: chapters[0].link }] : []),
      ...(repo ? [{ text: 'Source', link: repo.url }] : []),
    ],
    sidebar: sidebar(chapters),
    // Not VitePress's: read by the home page's <ChapterMap /> (.vitepress/theme/ChapterMap.vue).
    chapterMap: chapterMap(chapters),
    checkpoints: currentCheckpoints(root),
    outline: { level: [2, 3], label: 'In this chapter' },
    docFooter: { prev: 'Previous chapter', next: 'Next chapter' },
    ...(repo && { editLink: { pattern: editPattern(repo), text: 'Edit this chapter' } }),
    search: { provider: 'local' },
    ...(repo && { socialLinks: [{ icon: repo.host, link: repo.url }] }),
    footer: {
      message: 'Every number a chapter states is checked by its tests.',
    },
  },
})
