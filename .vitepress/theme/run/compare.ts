/**
 * A run in the browser against the page's stated numbers: each claim on the page
 * (`<span class="claim" data-raw="0.93 @x">`) checked against the results the run
 * returned, with the claims suite's own parser, lookup and tolerance
 * (`scripts/claims/`), so the page agrees with `pnpm test` on what "the same" means.
 */
import { parseClaim } from '../../../scripts/claims/claim.ts'
import { lookup, show, within } from '../../../scripts/claims/lookup.ts'

/** One stated number, compared. `cited`: a claim about another chapter's record, not this run. */
export type ClaimCheck =
  | { status: 'ok' | 'off'; raw: string; path: string; stated: number; computed: number; tolerance: number }
  | { status: 'missing'; raw: string; path: string; message: string }
  | { status: 'cited'; raw: string; chapter: string }

/** Check one claim, written as in the chapter (`0.93 @x ±0.02`), against `results`. */
export function checkClaim(raw: string, results: unknown): ClaimCheck {
  const claim = parseClaim(raw)
  if (claim.kind !== 'claim') return { status: 'missing', raw, path: '', message: `not a claim: ${raw}` }
  if (claim.chapter) return { status: 'cited', raw, chapter: claim.chapter }
  let value: unknown
  try {
    value = lookup(results, claim.path)
  } catch (error) {
    return { status: 'missing', raw, path: claim.path, message: (error as Error).message }
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return { status: 'missing', raw, path: claim.path, message: `${claim.path} is not a number` }
  }
  const status = within(value, claim.value, claim.tolerance) ? 'ok' : 'off'
  return { status, raw, path: claim.path, stated: claim.value, computed: value, tolerance: claim.tolerance }
}

/** How a computed value reads next to its claim: a percentage claim as a percentage. */
export function showComputed(check: ClaimCheck): string {
  if (check.status !== 'ok' && check.status !== 'off') return ''
  const percent = /%\s*@/.test(check.raw)
  return percent ? `${show(check.computed * 100)}%` : show(check.computed)
}

/** The tally the Run box reports. */
export function tally(checks: ClaimCheck[]): { checked: number; passed: number; cited: number } {
  const compared = checks.filter((c) => c.status !== 'cited')
  return {
    checked: compared.length,
    passed: compared.filter((c) => c.status === 'ok').length,
    cited: checks.length - compared.length,
  }
}
