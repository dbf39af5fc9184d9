/**
 * Reading a claim from inline code: `<number>[%] @[<chapter>:]<path>[ ±<tol>[%]]`.
 *
 * A claim is about the results of its own chapter's program, unless its path
 * starts with another chapter's name and a colon (`@04-on-off-policy:ppo.kl`):
 * then it is about that chapter's recorded results (`chapters/public/results/`),
 * which that chapter's own test keeps equal to what its program returns.
 *
 * The tolerance is half a unit in the last digit of the number as written
 * (`0.93` → 0.005, `37` → 0.5, `93%` → 0.005, `1e-3` → 5e-4), unless given
 * with `±`. An explicit tolerance is absolute and in the unit the number is
 * written in: on a percentage it is in percentage points (`93% @x ±2` and
 * `93% @x ±2%` both allow 0.02); on a plain number a `%` divides it by 100.
 *
 * Inline code that starts with a number and then has ` @` is meant as a
 * claim; when the rest does not parse it is an error, not plain code.
 */
import { readNumber } from './number.ts';
import { parsePath } from './path.ts';

/** What a piece of inline code is. */
export type ClaimParse =
  | { kind: 'code' }
  | { kind: 'claim'; value: number; path: string; chapter?: string; tolerance: number; number: string }
  | { kind: 'error'; message: string };

const attempt = /^\s*[+-]?\.?\d[^\s@]*\s*@/;
const shape = /^\s*(\S+)\s+@(\S+)(?:\s+±\s*(\S+))?\s*$/;
const expected = 'expected `<number>[%] @[<chapter>:]<path>[ ±<tolerance>]`, e.g. `0.93 @qlearning.successRate`';
/** A chapter's name as a claim cites it: the file name without `.md`. */
const chapterName = /^\d\d-[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Read inline code as a claim, if it is meant as one. */
export function parseClaim(code: string): ClaimParse {
  if (!attempt.test(code)) return { kind: 'code' };
  const match = shape.exec(code);
  if (!match) return { kind: 'error', message: `malformed claim \`${code}\`: ${expected}` };
  const [, numberText, target, toleranceText] = match as unknown as [string, string, string, string | undefined];
  const colon = target.indexOf(':');
  const chapter = colon < 0 ? undefined : target.slice(0, colon);
  const path = colon < 0 ? target : target.slice(colon + 1);
  if (chapter !== undefined && !chapterName.test(chapter)) {
    return { kind: 'error', message: `malformed claim \`${code}\`: ${chapter} is not a chapter name (write 05-dpo:path)` };
  }

  const number = readNumber(numberText);
  if (!number) return { kind: 'error', message: `malformed claim \`${code}\`: ${numberText} is not a number` };
  if (!parsePath(path)) {
    return {
      kind: 'error',
      message: `malformed claim \`${code}\`: ${path} is not a path (write a.b, a.b[2] or a.b.2)`,
    };
  }

  let tolerance = number.unit / 2;
  if (toleranceText !== undefined) {
    const written = readNumber(toleranceText);
    if (!written || written.value < 0 || toleranceText.startsWith('-') || toleranceText.startsWith('+')) {
      return { kind: 'error', message: `malformed claim \`${code}\`: ±${toleranceText} is not a tolerance` };
    }
    tolerance = number.percent && !written.percent ? written.value / 100 : written.value;
  }
  return { kind: 'claim', value: number.value, path, ...(chapter && { chapter }), tolerance, number: numberText };
}
