/**
 * Claims: numbers in the prose that the code computes.
 *
 * A chapter writes a stated number as inline code, `0.93 @qlearning.successRate`
 * (optionally `93% @x ±2%`), and the test suite checks it against
 * `results.qlearning.successRate` of the chapter's `main`. On the site it reads
 * as a plain number with a discreet dotted underline; hovering names the test that
 * checks it (`test/chapters.test.ts › chapters/01-rl-basics.md › line 42`).
 * A comparison (`0.95 @a > 0.92 @b`, `0.95 @a > @b margin 0.02`) reads as what it
 * shows: `0.95 > 0.92`, or just `0.95` when the other side is not shown here.
 * Inline code that is not a claim is left alone.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { MarkdownRenderer } from 'vitepress'
import { readChecks } from '../../scripts/claims/read.ts'
import { parseClaim as readClaim } from '../../scripts/claims/claim.ts'

/** A claim as the site shows it. */
export interface Claim {
  /** The number as written, e.g. `0.93`, `93%`, `1.5e-3`. */
  text: string
  /** The path under `results`, e.g. `qlearning.successRate`. */
  path: string
  /** Another chapter whose recorded results the path points into, e.g. `04-on-off-policy`. */
  chapter?: string
  /** The tolerance on other backends, for people, in the unit the number is written in: `0.005`, or `0.5%`. */
  tolerance: string
  /** A ranking it states: the operator, the other side as shown (absent when not shown), and its words for people. */
  compare?: { op: string; shown?: string; words: string }
}

/** How a percentage-or-not quantity reads for people. */
const forPeople = (value: number, percent: boolean): string =>
  `${Number((percent ? value * 100 : value).toPrecision(6))}${percent ? '%' : ''}`

/**
 * Read inline code as a claim with the claim checker's own parser
 * (`scripts/claims/`), so the site marks exactly what the tests check;
 * `null` for any other inline code.
 */
export function parseClaim(content: string): Claim | null {
  const claim = readClaim(content)
  if (claim.kind !== 'claim') return null
  const percent = claim.number.endsWith('%')
  const compare = claim.compare
  let described: Claim['compare']
  if (compare) {
    const other = compare.other
    const shown = 'number' in other ? other.number : undefined
    const otherName = 'constant' in other ? other.number : `${'chapter' in other && other.chapter ? `${other.chapter}:` : ''}${other.path}`
    const margin = typeof compare.margin === 'number' ? forPeople(compare.margin, percent) : compare.margin.path
    const words = `${claim.path} ${compare.op} ${otherName}${margin === '0' || margin === '0%' ? '' : ` by a margin of ${margin}`}`
    described = { op: compare.op, ...(shown !== undefined && { shown }), words }
  }
  return {
    text: claim.number,
    path: claim.path,
    ...(claim.chapter && { chapter: claim.chapter }),
    tolerance: forPeople(claim.tolerance, percent),
    ...(described && { compare: described }),
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

/** Where a claim is checked: the test that checks it, as the test runner names it. */
export interface ClaimSite {
  /** The chapter, as the claims suite names it: `chapters/05-dpo.md`. */
  file: string
  line: number
}

/**
 * The HTML for one claim: the number, a hover naming the test that checks it, and
 * the claim as written (`data-raw`), which the Run button compares with a run in the browser.
 */
export function renderClaim(claim: Claim, raw: string, site?: ClaimSite): string {
  const test = site ? `test/chapters.test.ts › ${site.file} › line ${site.line}` : 'test/chapters.test.ts'
  const against = claim.chapter ? `the recorded results of chapter ${claim.chapter}, ${claim.path}` : `results.${claim.path}`
  const ranks = claim.compare ? `; and ${claim.compare.words}` : ''
  const title =
    `checked by ${test}: ${against}, to the digits shown` +
    `${claim.chapter ? '' : ` (±${claim.tolerance} on other backends)`}${ranks}`
  const target = claim.chapter ? `${claim.chapter}:${claim.path}` : claim.path
  const shown = claim.compare?.shown
  const tail = shown === undefined ? '' : ` ${escapeHtml(claim.compare!.op)} ${displayNumber(shown)}`
  return (
    `<span class="claim" title="${escapeHtml(title)}" data-claim="${escapeHtml(target)}" data-raw="${escapeHtml(raw)}">` +
    `${displayNumber(claim.text)}${tail}</span>`
  )
}

/**
 * The claims of a chapter with their lines, read by the claims suite's own reader, to be
 * matched in document order with the code spans markdown-it renders (by their text, so that
 * a claim written twice is matched occurrence by occurrence). Cached by file and content.
 */
const sitesCache = new Map<string, { source: string; byRaw: Map<string, ClaimSite[]> }>()

function claimSites(srcDir: string, relativePath: string): Map<string, ClaimSite[]> {
  const file = `chapters/${relativePath}`
  let source = ''
  try {
    source = fs.readFileSync(path.join(srcDir, relativePath), 'utf8')
  } catch {
    return new Map()
  }
  const cached = sitesCache.get(file)
  if (cached?.source === source) return cached.byRaw
  const byRaw = new Map<string, ClaimSite[]>()
  for (const claim of readChecks(file, source).claims) {
    const list = byRaw.get(claim.raw) ?? []
    list.push({ file, line: claim.line })
    byRaw.set(claim.raw, list)
  }
  sitesCache.set(file, { source, byRaw })
  return byRaw
}

/** markdown-it plugin: render claim code spans with `renderClaim`, all other inline code as before. */
export function claimsPlugin(md: MarkdownRenderer, srcDir: string): void {
  const fallback = md.renderer.rules.code_inline
  md.renderer.rules.code_inline = (tokens, idx, options, env, self) => {
    const raw = tokens[idx]!.content
    const claim = parseClaim(raw)
    if (!claim) return fallback ? fallback(tokens, idx, options, env, self) : self.renderToken(tokens, idx, options)
    const state = env as { relativePath?: string; claimsSeen?: Map<string, number> }
    const seen = (state.claimsSeen ??= new Map())
    const count = seen.get(raw) ?? 0
    seen.set(raw, count + 1)
    const site = state.relativePath ? claimSites(srcDir, state.relativePath).get(raw)?.[count] : undefined
    return renderClaim(claim, raw, site)
  }
}
