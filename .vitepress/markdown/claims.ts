/**
 * Claims: numbers in the prose that the code computes.
 *
 * A chapter writes a stated number as inline code, `0.93 @qlearning.successRate`
 * (optionally `93% @x ±2%`), and the test suite checks it against
 * `results.qlearning.successRate` of the chapter's `main`. On the site it reads
 * as a plain number with a discreet dotted underline; hovering shows what checks it.
 * Inline code that is not a claim is left alone.
 */
import type { MarkdownRenderer } from 'vitepress'
import { parseClaim as readClaim } from '../../scripts/claims/claim.ts'

/** A claim as the site shows it. */
export interface Claim {
  /** The number as written, e.g. `0.93`, `93%`, `1.5e-3`. */
  text: string
  /** The path under `results`, e.g. `qlearning.successRate`. */
  path: string
  /** Another chapter whose recorded results the path points into, e.g. `04-on-off-policy`. */
  chapter?: string
  /** The tolerance for people, in the unit the number is written in: `0.005`, or `0.5%` on a percentage. */
  tolerance: string
}

/**
 * Read inline code as a claim with the claim checker's own parser
 * (`scripts/claims/`), so the site marks exactly what the tests check;
 * `null` for any other inline code.
 */
export function parseClaim(content: string): Claim | null {
  const claim = readClaim(content)
  if (claim.kind !== 'claim') return null
  const percent = claim.number.endsWith('%')
  const tolerance = Number((percent ? claim.tolerance * 100 : claim.tolerance).toPrecision(6))
  return {
    text: claim.number,
    path: claim.path,
    ...(claim.chapter && { chapter: claim.chapter }),
    tolerance: `${tolerance}${percent ? '%' : ''}`,
  }
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** How a claimed number reads: a true minus sign, `1.5e-3` as 1.5×10⁻³. */
export function displayNumber(text: string): string {
  const percent = text.endsWith('%') ? '%' : ''
  const body = percent ? text.slice(0, -1) : text
  const [mantissa, exponent] = body.toLowerCase().split('e') as [string, string | undefined]
  const minus = (s: string): string => s.replace(/^-/, '\u2212')
  const shown =
    exponent === undefined ? minus(mantissa) : `${minus(mantissa)}×10<sup>${minus(exponent.replace(/^\+/, ''))}</sup>`
  return shown + percent
}

/** The HTML for one claim. */
export function renderClaim(claim: Claim): string {
  const where = claim.chapter ? `the recorded results of chapter ${claim.chapter}: ` : 'results.'
  const title = `checked by test: ${where}${claim.path} (±${claim.tolerance})`
  const target = claim.chapter ? `${claim.chapter}:${claim.path}` : claim.path
  return (
    `<span class="claim" title="${escapeHtml(title)}" data-claim="${escapeHtml(target)}">` +
    `${displayNumber(claim.text)}</span>`
  )
}

/** markdown-it plugin: render claim code spans with `renderClaim`, all other inline code as before. */
export function claimsPlugin(md: MarkdownRenderer): void {
  const fallback = md.renderer.rules.code_inline
  md.renderer.rules.code_inline = (tokens, idx, options, env, self) => {
    const claim = parseClaim(tokens[idx]!.content)
    if (claim) return renderClaim(claim)
    return fallback ? fallback(tokens, idx, options, env, self) : self.renderToken(tokens, idx, options)
  }
}
