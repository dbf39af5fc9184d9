/**
 * Math: `$…$` and `$$…$$` typeset by KaTeX at build time, as HTML (with MathML for
 * screen readers) styled by KaTeX's stylesheet and fonts. A chapter's math weighs a
 * fifth of what MathJax's inline SVG did (a chapter's page halves), which matters
 * because VitePress prefetches the chapters a page links to.
 *
 * `@vscode/markdown-it-katex` finds the math; the renderers here typeset it, wrap it in
 * `v-pre` (TeX braces must not reach Vue's template compiler), and stop the build on
 * TeX that KaTeX cannot read, naming the chapter and line.
 */
import fs from 'node:fs'
import path from 'node:path'
import katex from 'katex'
import markdownItKatex from '@vscode/markdown-it-katex'
import type { MarkdownRenderer } from 'vitepress'

type Rule = NonNullable<MarkdownRenderer['renderer']['rules']['text']>

/** The line of `tex` in the chapter, for error messages (the first place it occurs). */
function lineOf(source: string, tex: string): number | undefined {
  const at = source.indexOf(tex)
  return at < 0 ? undefined : source.slice(0, at).split('\n').length
}

/** Unicode symbols such as ◆ are fine in `\text{}`, the book writes them on purpose; anything else LaTeX would reject is an error. */
const STRICT = (code: string): 'ignore' | 'error' => (code === 'unknownSymbol' || code === 'unicodeTextInMathMode' ? 'ignore' : 'error')

/** Typeset `tex`, or throw an Error naming where it is. */
export function typeset(tex: string, displayMode: boolean, locate: () => { file?: string; source?: string } = () => ({})): string {
  try {
    return katex.renderToString(tex, { displayMode, throwOnError: true, strict: STRICT, output: 'htmlAndMathml' })
  } catch (error) {
    const where = locate()
    const line = where.source ? lineOf(where.source, tex) : undefined
    const place = where.file ? `chapters/${where.file}${line ? `:${line}` : ''}: ` : ''
    throw new Error(`${place}cannot typeset $${tex}$: ${(error as Error).message}`)
  }
}

export function mathPlugin(md: MarkdownRenderer, srcDir: string): void {
  // A CommonJS module (its function is `default` when imported from ESM), typed against
  // another release of markdown-it's types; the plugin API is the same.
  const plugin = (markdownItKatex as unknown as { default?: unknown }).default ?? markdownItKatex
  md.use(plugin as Parameters<MarkdownRenderer['use']>[0])
  const where = (env: unknown) => {
    const file = (env as { relativePath?: string }).relativePath
    let source: string | undefined
    try {
      source = file ? fs.readFileSync(path.join(srcDir, file), 'utf8') : undefined
    } catch {
      source = undefined
    }
    return { file, source }
  }
  const inline: Rule = (tokens, idx, _options, env) =>
    `<span v-pre>${typeset(tokens[idx]!.content, false, () => where(env))}</span>`
  const block: Rule = (tokens, idx, _options, env) =>
    `<div class="katex-block" v-pre>${typeset(tokens[idx]!.content, true, () => where(env))}</div>\n`
  md.renderer.rules.math_inline = inline
  md.renderer.rules.math_inline_block = block
  md.renderer.rules.math_block = block
}
