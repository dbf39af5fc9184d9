/**
 * The claims checker: what a chapter states (claims, output blocks) against
 * what its program returns and prints; and the numbers it states unchecked.
 */
export { chapterName, parseClaim, parseReference, references, type ClaimParse } from './claim.ts';
export { allowance, checkClaim, type CheckOptions } from './check.ts';
export { lookup, within } from './lookup.ts';
export { readNumber, type WrittenNumber } from './number.ts';
export { lineMatches, matchOutputs, tokenMatches, type MatchOptions } from './outputs.ts';
export { parsePath, type PathSegment } from './path.ts';
export { readChecks } from './read.ts';
export { findNumbers, proseTexts, type NumberMatch } from './stray.ts';
export type { ChapterChecks, Claim, Comparison, Operand, OutputBlock, Reference, Stated, StrayNumber } from './types.ts';
