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

const FILE_RE = /(?:^|\s)file=(?:"([^"]*)"|'([^']*)'|(\S+))/
const CHUNK_RE = /(?:^|\s)chunk=(?:"([^"]*)"|'([^']*)'|(\S+))/
const READ_ONLY_RE = /(?:^|\s)read-only(?=\s|$)/
const OUTPUT_RE = /(?:^|\s)output(?=\s|$)/

/** Parse a fence info string. Pure, for unit tests. */
export function parseFenceInfo(info: string): FenceInfo {
  const trimmed = info.trim()
  const lang = trimmed.split(/\s+/, 1)[0] ?? ''
  let attrs = trimmed.slice(lang.length)
  let kind: FenceKind | null = null
  let label: string | null = null
  const take = (re: RegExp): RegExpExecArray | null => {
    const m = re.exec(attrs)
    if (m) attrs = attrs.slice(0, m.index) + ' ' + attrs.slice(m.index + m[0].length)
    return m
  }
  const file = take(FILE_RE)
  const chunk = take(CHUNK_RE)
  const readOnly = take(READ_ONLY_RE)
  const output = take(OUTPUT_RE)
  if (file) [kind, label] = ['file', file[1] ?? file[2] ?? file[3] ?? '']
  else if (chunk) [kind, label] = ['chunk', chunk[1] ?? chunk[2] ?? chunk[3] ?? '']
  else if (readOnly) [kind, label] = ['read-only', 'for reading only']
  else if (output) [kind, label] = ['output', 'output']
  return { lang, kind, label, rest: attrs.trim().replace(/\s+/g, ' ') }
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
