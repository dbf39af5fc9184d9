/**
 * Fences: our literate info strings, made readable.
 *
 *   ```ts file=src/rl/gridworld.ts   → TypeScript, captioned `src/rl/gridworld.ts`
 *   ```ts chunk="update the Q-table" → TypeScript, captioned ⟨update the Q-table⟩
 *   ```ts read-only                  → TypeScript, captioned "for reading only"
 *   ```text output                   → plain text, captioned "output"
 *
 * A core rule (run after parsing, before any renderer) reduces the info string to the
 * bare language so VitePress/Shiki highlight it as usual, and records the caption in
 * `token.meta`; the fence renderer then puts a small caption bar above the block.
 * `// <<name>>` reference lines stay in the code as written.
 */
import type { MarkdownRenderer } from 'vitepress'
import { parseInfo } from '../../scripts/tangle/info.ts'

export type FenceKind = 'file' | 'chunk' | 'read-only' | 'output'

export interface FenceInfo {
  /** The bare language (`ts`, `text`, …): what Shiki highlights. */
  lang: string
  kind: FenceKind | null
  /** What the caption says: the target file, the chunk name, … */
  label: string | null
  /** Whatever else the info string held (e.g. `{1,3}` line highlights), kept for VitePress. */
  rest: string
}

/**
 * Parse a fence info string with the tangler's own reader (`scripts/tangle/info.ts`),
 * so the site captions exactly what the tangler and the tests act on. Pure, for unit tests.
 */
export function parseFenceInfo(info: string): FenceInfo {
  const trimmed = info.trim()
  const lang = trimmed.split(/\s+/, 1)[0] ?? ''
  const meta = trimmed.slice(lang.length)
  const parsed = parseInfo(meta)
  const none: FenceInfo = { lang, kind: null, label: null, rest: meta.trim() }
  if (!parsed.ok) return none
  const value = (name: string) => parsed.tokens.find((t) => t.name === name)?.value
  const flag = (name: string) => parsed.tokens.some((t) => t.name === name && t.value === undefined)
  const file = value('file')
  const chunk = value('chunk')
  if (file !== undefined) return { lang, kind: 'file', label: file, rest: '' }
  if (chunk !== undefined) return { lang, kind: 'chunk', label: chunk, rest: '' }
  if (flag('read-only')) return { lang, kind: 'read-only', label: 'for reading only', rest: '' }
  if (flag('output')) {
    const backend = value('backend')
    return { lang, kind: 'output', label: backend ? `output (exact on ${backend})` : 'output', rest: '' }
  }
  return none
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** A URL fragment for a chunk name: `update the Q-table` → `chunk-update-the-q-table`. */
export function chunkId(name: string): string {
  return 'chunk-' + name.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '')
}

/** The caption bar above a block. */
export function renderCaption(info: FenceInfo): string {
  if (!info.kind || info.label === null) return ''
  const label = escapeHtml(info.label)
  switch (info.kind) {
    case 'file':
      return `<div class="fence-caption" title="tangled into ${label}"><code>${label}</code></div>\n`
    case 'chunk':
      return (
        `<div class="fence-caption" id="${escapeHtml(chunkId(info.label))}" ` +
        `title="a named chunk, used where a line says // &lt;&lt;${label}&gt;&gt;">⟨${label}⟩</div>\n`
      )
    case 'read-only':
      return `<div class="fence-caption" title="not tangled into src/, but type-checked">${label}</div>\n`
    case 'output':
      return `<div class="fence-caption" title="what the chapter prints; the tests compare it with the real output">${label}</div>\n`
  }
}

interface FenceMeta {
  fence?: FenceInfo
}

/** markdown-it plugin: normalise fence info strings and caption the blocks. */
export function fencesPlugin(md: MarkdownRenderer): void {
  md.core.ruler.push('rlhf_fence_info', (state) => {
    for (const token of state.tokens) {
      if (token.type !== 'fence') continue
      const info = parseFenceInfo(token.info)
      if (!info.kind) continue
      token.meta = { ...(token.meta as object | null), fence: info } satisfies FenceMeta
      token.info = info.rest ? `${info.lang} ${info.rest}` : info.lang
    }
  })
  const fence = md.renderer.rules.fence
  md.renderer.rules.fence = (tokens, idx, options, env, self) => {
    const meta = tokens[idx]!.meta as FenceMeta | null
    const caption = meta?.fence ? renderCaption(meta.fence) : ''
    const block = fence ? fence(tokens, idx, options, env, self) : self.renderToken(tokens, idx, options)
    return caption ? `<div class="fence-captioned fence-${meta!.fence!.kind}">${caption}${block}</div>\n` : block
  }
}
