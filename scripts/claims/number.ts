/**
 * Numbers as written: `0.93`, `-1.5`, `37`, `1e-3`, `2.5e+4`, `93%`. Besides
 * its value, a written number has a precision: the unit of its last digit
 * (0.01 for `0.93`, 1 for `37`, 0.0001 for `1e-4`... times the mantissa's
 * decimals: 0.1e-3 for `1.5e-3`). A percentage is divided by 100, unit too.
 */

/** A number as written. */
export interface WrittenNumber {
  /** Its value; `93%` is 0.93. */
  value: number;
  /** One unit in its last digit, in the unit of `value`. */
  unit: number;
  /** Whether it was written as a percentage. */
  percent: boolean;
}

const numberPattern = /^([+-]?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?(%?)$/;

/** Read a number as written, or undefined when `text` is not one. */
export function readNumber(text: string): WrittenNumber | undefined {
  const match = numberPattern.exec(text);
  if (!match) return undefined;
  const decimals = match[3]?.length ?? 0;
  const exponent = Number(match[4] ?? 0);
  const percent = match[5] === '%';
  const scale = percent ? 100 : 1;
  const value = Number(text.replace(/%$/, '')) / scale;
  const unit = Number(`1e${exponent - decimals}`) / scale;
  return { value, unit, percent };
}
