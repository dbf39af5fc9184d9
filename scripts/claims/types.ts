/**
 * What a chapter states, to be checked against what its program does.
 */

/** A result a claim points to: a path into a chapter's results. */
export interface Reference {
  /** Where in the results of `main`: `qlearning.successRate`, `a.b[2]`. */
  path: string;
  /** Another chapter whose recorded results the path points into (`04-on-off-policy`); absent for the claim's own chapter. */
  chapter?: string;
}

/** A number stated in the prose, and the result it is claimed to be. */
export interface Stated extends Reference {
  /** The number as written: `0.93`, `93%`. */
  number: string;
  /** The claimed value (a percentage already divided by 100). */
  value: number;
  /** Half a unit in the last digit shown: how far the value may be on the record's backend. */
  rounding: number;
  /** How far it may be on other backends: an explicit `±`, else `rounding`. In the unit of `value`. */
  tolerance: number;
}

/** The other side of a comparison: a stated number, a result not shown, or a constant. */
export type Operand = Stated | Reference | { constant: number; number: string };

/** A ranking the prose states: `0.95 @a > 0.92 @b`, `0.95 @a > @b margin 0.02`, `1.5 @kl < 2`. */
export interface Comparison {
  op: '>' | '<' | '≈';
  other: Operand;
  /** How much the difference must exceed (`>`, `<`) or stay within (`≈`): a number in the unit of `value`, or a result. */
  margin: number | Reference;
}

/** A stated number: inline code `` `0.93 @qlearning.successRate ±0.01` `` in the prose, maybe with a comparison. */
export interface Claim extends Stated {
  /** Chapter path: `chapters/01-rl-basics.md`. */
  file: string;
  line: number;
  column: number;
  /** The inline code's content, as written. */
  raw: string;
  compare?: Comparison;
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
