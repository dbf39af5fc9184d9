/**
 * Checking a claim against results: each stated number to its digits (or its `±`
 * off the record's backend), then the comparison it states, if any.
 */
import { describe, lookup, show, within } from './lookup.ts';
import type { Claim, Comparison, Operand, Reference, Stated } from './types.ts';

/** Where a claim is checked, and against what. */
export interface CheckOptions {
  /**
   * Whether these results come from the backend the chapter's record was made on: then a
   * stated number must round to its digits, and a `±` does not apply. Claims about another
   * chapter's record are always exact.
   */
  exact?: boolean;
  /** The recorded results of another chapter, for claims that cite one. */
  cited?: (chapter: string) => unknown;
}

/** A comparison's failure, or a value that cannot be read, carried out as a message. */
class Failed extends Error {}

/**
 * Whether `claim` holds in `results`: undefined when it does, else a message naming its line.
 * `value`: the number the claim's own path names in `results`, when the caller has read it.
 */
export function checkClaim(
  claim: Claim, results: unknown, options: CheckOptions = {}, value?: number,
): string | undefined {
  try {
    const actual = checkStated(claim, results, options, value);
    if (claim.compare) checkComparison(claim, actual, claim.compare, results, options);
    return undefined;
  } catch (error) {
    if (!(error instanceof Failed)) throw error;
    return `${claim.file}:${claim.line}: ${error.message}`;
  }
}

/** The value a reference points to, which must be a finite number. */
function valueOf(reference: Reference, results: unknown, options: CheckOptions, claimed: string): number {
  let source = results;
  if (reference.chapter !== undefined) {
    if (!options.cited) throw new Failed(`${reference.chapter}:${reference.path}: no record of ${reference.chapter} to check against`);
    source = options.cited(reference.chapter);
  }
  let actual: unknown;
  try {
    actual = lookup(source, reference.path);
  } catch (error) {
    throw new Failed((error as Error).message + (reference.chapter ? ` (in the recorded results of ${reference.chapter})` : ''));
  }
  if (typeof actual !== 'number' || !Number.isFinite(actual)) {
    throw new Failed(`claims ${claimed} for ${reference.path}, but the value is not a number (it is ${describe(actual)})`);
  }
  return actual;
}

/** How far a stated number may be from its value, here. */
export function allowance(stated: Stated, options: CheckOptions): number {
  return options.exact || stated.chapter !== undefined ? stated.rounding : stated.tolerance;
}

/** Check one stated number (its value read from `results` unless given); its value. */
function checkStated(
  stated: Stated, results: unknown, options: CheckOptions, value?: number,
): number {
  const actual = value ?? valueOf(stated, results, options, stated.number);
  const allowed = allowance(stated, options);
  if (within(actual, stated.value, allowed)) return actual;
  const gives = stated.number.endsWith('%') ? `${show(actual)} (${show(actual * 100)}%)` : show(actual);
  const where = stated.chapter ? ` (in the recorded results of ${stated.chapter})` : '';
  throw new Failed(`claims ${stated.number} for ${stated.path} (±${show(allowed)}), the code gives ${gives}${where}`);
}

/** The value of the other side of a comparison, its stated number checked. */
function operandValue(operand: Operand, results: unknown, options: CheckOptions): number {
  if ('constant' in operand) return operand.constant;
  if ('number' in operand) return checkStated(operand, results, options);
  return valueOf(operand, results, options, `a value`);
}

function checkComparison(claim: Claim, a: number, compare: Comparison, results: unknown, options: CheckOptions): void {
  const b = operandValue(compare.other, results, options);
  const margin = typeof compare.margin === 'number' ? compare.margin : valueOf(compare.margin, results, options, 'a margin');
  const holds = compare.op === '>' ? a - b > margin : compare.op === '<' ? b - a > margin : Math.abs(a - b) <= margin;
  if (holds) return;
  const other = 'constant' in compare.other ? compare.other.number : compare.other.path;
  const wanted = { '>': `more than ${show(margin)}`, '<': `less than −${show(margin)}`, '≈': `within ±${show(margin)}` }[compare.op];
  throw new Failed(
    `claims ${claim.path} ${compare.op} ${other}${margin === 0 ? '' : ` (margin ${show(margin)})`}, ` +
      `but ${show(a)} − ${show(b)} = ${show(a - b)} is not ${wanted}`,
  );
}
