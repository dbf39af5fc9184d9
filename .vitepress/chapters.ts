/**
 * The book's table of contents, read from `chapters/NN-name.md` at build time.
 *
 * Each chapter's front matter `title:` names it; its number (`NN`) places it in a
 * part by the ranges in `PARTS`. Adding a chapter file is all it takes to list it
 * (in `docs:dev`, restart the server to pick up a new file).
 */
import fs from 'node:fs'
import path from 'node:path'
import { parse as parseYaml } from 'yaml'
import type { DefaultTheme } from 'vitepress'

/** The parts of the book: chapter number ranges (inclusive). The one table to edit. */
export const PARTS: readonly { text: string; from: number; to: number }[] = [
  { text: 'Foundations', from: 0, to: 1 },
  { text: 'RL for language models', from: 2, to: 4 },
  { text: 'Offline preference optimisation', from: 5, to: 8 },
  { text: 'Online methods', from: 9, to: 12 },
  { text: 'Practice', from: 13, to: 89 },
  { text: 'Appendix', from: 90, to: 99 },
]

/** A chapter file: two digits, a dash, a name. */
export const CHAPTER_FILE_RE = /^(\d{2})-[^/]*\.md$/

export interface Chapter {
  number: number
  /** `NN`, as in the file name. */
  nn: string
  file: string
  /** The site path (clean URL). */
  link: string
  title: string
  /** One sentence on what the chapter teaches: its front matter's `description`. */
  description: string
}

/** The YAML front matter of a Markdown source, or `{}`. */
export function frontMatter(source: string): Record<string, unknown> {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\s*(?:\r?\n|$)/.exec(source)
  if (!m) return {}
  try {
    const data: unknown = parseYaml(m[1]!)
    return data && typeof data === 'object' ? (data as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

/** The chapters in `dir`, in order. */
export function readChapters(dir: string): Chapter[] {
  if (!fs.existsSync(dir)) return []
  return fs
    .readdirSync(dir)
    .filter((f) => CHAPTER_FILE_RE.test(f))
    .sort()
    .map((file) => {
      const nn = CHAPTER_FILE_RE.exec(file)![1]!
      const source = fs.readFileSync(path.join(dir, file), 'utf8')
      const fm = frontMatter(source)
      const heading = /^#\s+(.+)$/m.exec(source.replace(/^---[\s\S]*?\n---/, ''))?.[1]
      const title = typeof fm.title === 'string' ? fm.title : (heading?.trim() ?? file.replace(/^\d{2}-|\.md$/g, ''))
      const description = typeof fm.description === 'string' ? fm.description : ''
      return { number: Number(nn), nn, file, link: '/' + file.replace(/\.md$/, ''), title, description }
    })
}

/** How a chapter is listed: `01 · RL basics` (as HTML: VitePress renders sidebar text with v-html). */
export const chapterLabel = (c: Chapter): string =>
  `${c.nn} · ${c.title.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}`

/** The sidebar: one group per part that has chapters; chapters outside every range go last. */
export function sidebar(chapters: Chapter[]): DefaultTheme.SidebarItem[] {
  const item = (c: Chapter): DefaultTheme.SidebarItem => ({ text: chapterLabel(c), link: c.link })
  const groups: DefaultTheme.SidebarItem[] = PARTS.map((part) => ({
    text: part.text,
    collapsed: false,
    items: chapters.filter((c) => c.number >= part.from && c.number <= part.to).map(item),
  }))
  const stray = chapters.filter((c) => !PARTS.some((p) => c.number >= p.from && c.number <= p.to))
  if (stray.length) groups.push({ text: 'More', collapsed: false, items: stray.map(item) })
  return groups.filter((g) => g.items!.length > 0)
}

/**
 * Markdown files under `dir` that are not pages of the book: everything but
 * `index.md` and the top-level chapter files (READMEs, notes, drafts in subfolders).
 */
export function nonChapterFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return []
  const out: string[] = []
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const file = rel ? `${rel}/${entry.name}` : entry.name
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(file)
      } else if (file.endsWith('.md') && file !== 'index.md' && !CHAPTER_FILE_RE.test(file)) out.push(file)
    }
  }
  walk('')
  return out
}

/** The book's map for the home page: every part, with its chapters (none yet for a part still to come). */
export interface MapPart {
  text: string
  chapters: Pick<Chapter, 'nn' | 'title' | 'link' | 'description'>[]
}

export function chapterMap(chapters: Chapter[]): MapPart[] {
  return PARTS.map((part) => ({
    text: part.text,
    chapters: chapters
      .filter((c) => c.number >= part.from && c.number <= part.to)
      .map(({ nn, title, link, description }) => ({ nn, title, link, description })),
  }))
}

/** The home page's front matter, as far as its links go. */
export interface HomeFrontMatter {
  hero?: { actions?: { link?: string }[] }
  features?: { title?: string; link?: string; linkText?: string }[]
}

/**
 * Resolve the home page's links written `/chapter/NN` to chapter NN, whatever its file is
 * called. A hero button to a chapter not written yet is dropped; a feature card loses its
 * link and says in its title that its part is still to come.
 */
export function resolveHomeLinks(frontmatter: HomeFrontMatter, chapters: readonly Chapter[]): void {
  const resolve = (link: unknown): string | undefined => {
    const m = typeof link === 'string' ? /^\/chapter\/(\d+)$/.exec(link) : null
    if (!m) return typeof link === 'string' ? link : undefined
    return chapters.find((c) => c.number === Number(m[1]))?.link
  }
  if (frontmatter.hero?.actions) {
    frontmatter.hero.actions = frontmatter.hero.actions
      .map((a) => ({ ...a, link: resolve(a.link) }))
      .filter((a) => a.link !== undefined)
  }
  for (const feature of frontmatter.features ?? []) {
    if (feature.link === undefined) continue
    const link = resolve(feature.link)
    if (link) {
      feature.link = link
      continue
    }
    delete feature.link
    delete feature.linkText
    feature.title = `${feature.title} · to come`
  }
}
