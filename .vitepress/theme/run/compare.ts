/**
 * A run in the browser against the page's stated numbers: each claim on the page
 * (`<span class="claim" data-raw="0.93 @x">`) checked against the results the run
 * returned, with the claims suite's own parser, lookup and tolerance
 * (`scripts/claims/`), so the page agrees with `pnpm test` on what "the same" means.
 */
import { parseClaim, references } from '../../../scripts/claims/claim.ts'
import { allowance, checkClaim as checkStated } from '../../../scripts/claims/check.ts'
import { lookup, show } from '../../../scripts/claims/lookup.ts'
import type { Claim } from '../../../scripts/claims/types.ts'

/** One stated number, compared. `cited`: a claim about another chapter's record, not this run. */
export type ClaimCheck =
  | { status: 'ok' | 'off'; raw: string; path: string; stated: number; computed: number; tolerance: number; message?: string }
  | { status: 'missing'; raw: string; path: string; message: string }
  | { status: 'cited'; raw: string; chapter: string }

/**
 * Check one claim, written as in the chapter (`0.93 @x ±0.02`, `0.95 @a > @b`), against
 * `results`: `exact` when the run was on the backend the book's records are made on. A
 * comparison with another chapter's record is left to the tests; its number is checked.
 */
export function checkClaim(raw: string, results: unknown, exact = false): ClaimCheck {
  const parsed = parseClaim(raw)
  if (parsed.kind !== 'claim') return { status: 'missing', raw, path: '', message: `not a claim: ${raw}` }
  if (parsed.chapter) return { status: 'cited', raw, chapter: parsed.chapter }
  const { kind: _kind, compare, ...stated } = parsed
  const cites = references(parsed).some((r) => r.chapter !== undefined)
  const kept = compare && !cites && { compare }
  const claim: Claim = { file: 'this page', line: 0, column: 0, raw, ...stated, ...kept }
  let value: unknown
  try {
    value = lookup(results, claim.path)
  } catch (error) {
    return { status: 'missing', raw, path: claim.path, message: (error as Error).message }
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return { status: 'missing', raw, path: claim.path, message: `${claim.path} is not a number` }
  }
  const problem = checkStated(claim, results, { exact }, value)
  const tolerance = allowance(claim, { exact })
  const check = { raw, path: claim.path, stated: claim.value, computed: value, tolerance }
  return problem === undefined ? { status: 'ok', ...check } : { status: 'off', ...check, message: problem.replace(/^this page:0: /, '') }
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
