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

/**
 * The claim syntax: number (`0.93`, `-1.5e-3`, `93%`), `@path` (`a.b`, `a.b[2]`, `a.b.2`),
 * optional `± tolerance`. The same grammar as the claim checker's (`scripts/claims/`),
 * so whatever the tests check reads as a claim here.
 */
export const CLAIM_RE =
  /^([+-]?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?%?)\s+@([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*|\.\d+|\[\d+\])*)(?:\s+±\s*(\S+))?$/

export interface Claim {
  /** The number as written, e.g. `0.93`, `93%`, `1.5e-3`. */
  text: string
  /** The value claimed (a percentage is divided by 100: `93%` claims 0.93). */
  value: number
  percent: boolean
  /** The path under `results`, e.g. `qlearning.successRate`. */
  path: string
  /**
   * The tolerance, for people: as written, in the unit the number is written in
   * (`93% @x ±2` allows two percentage points: `2%`), or the implied one, half a unit
   * in the last digit shown (`0.93` → `0.005`).
   */
  tolerance: string
  /** Whether the tolerance was given explicitly. */
  explicitTolerance: boolean
}

/**
 * Parse the content of an inline code span as a claim; `null` if it is not one.
 * Pure: no markdown-it needed, so it can be unit-tested on its own.
 */
export function parseClaim(content: string): Claim | null {
  const m = CLAIM_RE.exec(content.trim())
  if (!m) return null
  const [, text, path, tol] = m as unknown as [string, string, string, string | undefined]
  const percent = text.endsWith('%')
  const numeric = percent ? text.slice(0, -1) : text
  const n = Number(numeric)
  if (!Number.isFinite(n)) return null
  let tolerance: string
  if (tol === undefined) tolerance = impliedTolerance(numeric) + (percent ? '%' : '')
  else if (percent && !tol.endsWith('%')) tolerance = `${tol}%` // percentage points
  else if (!percent && tol.endsWith('%') && Number.isFinite(Number(tol.slice(0, -1)))) {
    tolerance = String(Number(tol.slice(0, -1)) / 100) // `0.93 @x ±2%` allows 0.02
  } else tolerance = tol
  return { text, value: percent ? n / 100 : n, percent, path, tolerance, explicitTolerance: tol !== undefined }
}

/** Half a unit in the last place shown: `0.93` → `0.005`, `12` → `0.5`, `1.5e-3` → `5e-5`. */
export function impliedTolerance(numeric: string): string {
  const [mantissa, exponent] = numeric.replace(/^[+-]/, '').toLowerCase().split('e') as [string, string | undefined]
  const decimals = mantissa.includes('.') ? mantissa.length - mantissa.indexOf('.') - 1 : 0
  if (exponent !== undefined) return `5e${Number(exponent) - decimals - 1}`
  return decimals === 0 ? '0.5' : `0.${'0'.repeat(decimals)}5`
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
  const title = `checked by test: results.${claim.path} (±${claim.tolerance})`
  return (
    `<span class="claim" title="${escapeHtml(title)}" data-claim="${escapeHtml(claim.path)}">` +
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
