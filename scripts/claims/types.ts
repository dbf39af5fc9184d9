/**
 * What a chapter states, to be checked against what its program does.
 */

/** A stated number: inline code `` `0.93 @qlearning.successRate ±0.01` `` in the prose. */
export interface Claim {
  /** Chapter path: `chapters/01-rl-basics.md`. */
  file: string;
  line: number;
  column: number;
  /** The inline code's content, as written. */
  raw: string;
  /** The claimed value (a percentage already divided by 100). */
  value: number;
  /** Where in the results of `main`: `qlearning.successRate`, `a.b[2]`. */
  path: string;
  /** Another chapter whose recorded results the path points into (`04-on-off-policy`); absent for the claim's own chapter. */
  chapter?: string;
  /** Largest allowed absolute difference, in the unit of `value`. */
  tolerance: number;
}

/** A ` ```text output ` block: lines the program must print, in this order. */
export interface OutputBlock {
  file: string;
  /** Chapter line of the block's first line. */
  line: number;
  lines: string[];
  /** From `tol=0.01` in the info string: allowed difference of numbers, as written. */
  tolerance?: number;
  /**
   * From `backend=wasm`: the output only this backend prints exactly (sampled text,
   * which a tiny numerical difference can change); checked only when it runs.
   */
  backend?: string;
}

/** A decimal number or percentage in the prose that is not a claim. */
export interface StrayNumber {
  file: string;
  line: number;
  column: number;
  text: string;
}

/** Everything of a chapter the claims suite checks. */
export interface ChapterChecks {
  claims: Claim[];
  outputs: OutputBlock[];
  stray: StrayNumber[];
  /** Malformed claims and output blocks, as `file:line:column: message`. */
  errors: string[];
}
