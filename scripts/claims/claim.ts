/**
 * Reading a claim from inline code. The grammar, in words:
 *
 *     <number>[%] @[<chapter>:]<path>[ ±<tol>]                      a stated number
 *     <stated> <op> <other>[ margin <m>]                            a stated comparison
 *
 * where `<op>` is `>`, `<` or `≈`, and `<other>` is another stated number
 * (`0.92 @dpo.accuracy`), a result not shown here (`@dpo.accuracy`), or a plain
 * constant (`0`, `50%`). `<m>` is a number or a result (`@noise.twoSe`).
 *
 * A stated number is about the results of its own chapter's program, unless its
 * path starts with another chapter's name and a colon (`@04-on-off-policy:ppo.kl`):
 * then it is about that chapter's recorded results (`chapters/public/results/`).
 *
 * On the backend the record was made on, a stated number must be its value rounded
 * to the digits shown: within half a unit of the last digit (`0.93` → 0.005, `37` →
 * 0.5, `93%` → 0.005, `1e-3` → 5e-4). An explicit `±` serves only other backends.
 * It is absolute and in the unit the number is written in: on a percentage it is in
 * percentage points (`93% @x ±2` and `93% @x ±2%` both allow 0.02); on a plain
 * number a `%` divides it by 100. A margin is read the same way.
 *
 * A comparison holds when `a − b > m` (`>`), `b − a > m` (`<`) or `|a − b| ≤ m` (`≈`,
 * which needs a margin: "within noise" says how large the noise is); `m` is 0 by
 * default. Every stated number in it is checked as well.
 *
 * Inline code with the shape of a claim is meant as one, and when it does not parse
 * it is an error, not plain code. The shape: an `@` that starts a path and follows
 * anything but a letter, digit, dot, slash or dash (`0.93 @x`, `x @y`, `93 % @x`,
 * `~0.93 @x`, `"0.93" @x`, `0.93%@x`), a number glued to an `@` (`0.93@x`), or a
 * number with a tolerance (`0.93 ±0.02`, which names no result). Code
 * that starts with `@` (`@05-dpo:dpo.kl`, `@tensorflow/tfjs`) or has an `@` inside a
 * word (`foo@1.2`, `a@b.org`) is code.
 */
import { readNumber } from './number.ts';
import { parsePath } from './path.ts';
import type { Comparison, Operand, Reference, Stated } from './types.ts';

/** What a piece of inline code is. */
export type ClaimParse =
  | { kind: 'code' }
  | ({ kind: 'claim' } & Stated & { compare?: Comparison })
  | { kind: 'error'; message: string };

const attempt = /^\s*\S.*?[^\w./-]@[\w[]|^\s*[+-]?\.?\d[^\s@]*\s*@|^\s*[+-]?\.?\d\S*\s*±/;
const expected =
  'expected `<number>[%] @[<chapter>:]<path>[ ±<tolerance>][ >|<|≈ <other>[ margin <m>]]`, ' +
  'e.g. `0.93 @qlearning.successRate`';
/** A chapter's name as a claim cites it: the file name without `.md`. */
export const chapterName = /^\d\d-[a-z0-9]+(?:-[a-z0-9]+)*$/;
const operators = new Set(['>', '<', '≈']);

/** A parse failure, carried to the top as a message. */
class Malformed extends Error {}

/** Read inline code as a claim, if it is meant as one. */
export function parseClaim(code: string): ClaimParse {
  if (!attempt.test(code)) return { kind: 'code' };
  try {
    return { kind: 'claim', ...readClaim(code) };
  } catch (error) {
    if (!(error instanceof Malformed)) throw error;
    return { kind: 'error', message: `malformed claim \`${code}\`: ${error.message}` };
  }
}

/** The words of a claim, with `± 0.02` joined into one word. */
function words(code: string): string[] {
  return code.trim().replace(/±\s+/g, '±').split(/\s+/);
}

function readClaim(code: string): Stated & { compare?: Comparison } {
  const rest = words(code);
  if (operators.has(rest[0]!)) {
    throw new Malformed(`${rest[0]} before the number: a claim states the digits its value rounds to`);
  }
  const stated = readStated(rest);
  if (stated !== undefined && 'constant' in stated && rest[0]?.startsWith('±')) {
    throw new Malformed(`${stated.number} ${rest[0]} names no result: write \`${stated.number} @<path> ${rest[0]}\``);
  }
  if (stated === undefined || 'constant' in stated || !('number' in stated)) throw new Malformed(expected);
  if (rest.length === 0) return stated;
  const op = rest.shift()!;
  if (!operators.has(op)) {
    const hint = /^[<>=≤≥~≃!]+$/.test(op) ? `${op} is not a comparison (write >, < or ≈): ` : '';
    throw new Malformed(hint + expected);
  }
  const other = readStated(rest);
  if (other === undefined) throw new Malformed(`${op} needs something to compare with: ${expected}`);
  let margin: number | Reference = 0;
  if (rest[0] === 'margin') {
    rest.shift();
    margin = readMargin(rest.shift(), stated.number.endsWith('%'));
  } else if (op === '≈') {
    throw new Malformed('≈ needs a margin: how close is "the same" (e.g. `margin 0.02` or `margin @noise`)');
  }
  if (rest.length > 0) throw new Malformed(`${rest.join(' ')} is not understood: ${expected}`);
  return { ...stated, compare: { op: op as Comparison['op'], other, margin } };
}

/** One operand from the front of `rest`: `<number> @<target> [±tol]`, `@<target>` or `<number>`. */
function readStated(rest: string[]): Operand | undefined {
  const head = rest[0];
  if (head === undefined || operators.has(head) || head === 'margin') return undefined;
  if (head.startsWith('@')) {
    rest.shift();
    return readReference(head.slice(1));
  }
  const number = readNumber(head);
  if (!number) throw new Malformed(notANumber(head));
  rest.shift();
  if (rest[0]?.startsWith('%')) throw new Malformed(`${head} ${rest[0]}: write ${head}% (no space before %)`);
  if (!rest[0]?.startsWith('@')) return { constant: number.value, number: head };
  const target = readReference(rest.shift()!.slice(1));
  let tolerance = number.unit / 2;
  if (rest[0]?.startsWith('±')) {
    const text = rest.shift()!.slice(1);
    const written = readNumber(text);
    if (!written || written.value < 0 || /^[+-]/.test(text)) throw new Malformed(`±${text} is not a tolerance`);
    tolerance = number.percent && !written.percent ? written.value / 100 : written.value;
  }
  return { number: head, value: number.value, ...target, rounding: number.unit / 2, tolerance };
}

/** Why `head` does not begin a claim, with what to write instead. */
function notANumber(head: string): string {
  const digits = head.replace(/^[~≈≃∼]|^about$|^["'‘“`]|["'’”`]$/g, '');
  if (/^[~≈≃∼]/.test(head) || head === 'about') {
    return `${head} is not a number: a claim states the digits its value rounds to, without ~ or ≈`;
  }
  if (/^["'‘“`]/.test(head)) return `${head} is not a number: write it without quotes (\`${digits} @…\`)`;
  const glued = head.indexOf('@');
  if (glued > 0 && readNumber(head.slice(0, glued))) return `${head}: write a space before @`;
  if (/^[+-]?\.\d/.test(head)) return `${head} is not a number: write ${head.replace('.', '0.')}`;
  if (readNumber(head.replace(',', '.'))) return `${head} is not a number: write a decimal point (${head.replace(',', '.')})`;
  return `${head} is not a number: a claim begins with the number it states (${expected})`;
}

/**
 * The results a claim points to: its own path, then its comparison's other side and margin
 * where they are results (not constants). A reference with a `chapter` cites that chapter's
 * record; one without reads the results of the claim's own chapter's program.
 */
export function references(claim: Stated & { compare?: Comparison }): Reference[] {
  const operands = claim.compare ? [claim.compare.other, claim.compare.margin] : [];
  return [claim, ...operands.filter((r): r is Reference => typeof r === 'object' && 'path' in r)];
}

/** `[<chapter>:]<path>`. */
function readReference(target: string): Reference {
  if (target === '') throw new Malformed(expected);
  const read = parseReference(target);
  if (!read.ok) throw new Malformed(read.message);
  return read.reference;
}

/**
 * `[<chapter>:]<path>` as a claim writes it after its `@` (`04-on-off-policy:ppo.kl`,
 * `dpo.accuracy`), or why it is not one. Figures read their paths with it too.
 */
export function parseReference(
  target: string,
): { ok: true; reference: Reference } | { ok: false; message: string } {
  const colon = target.indexOf(':');
  const chapter = colon < 0 ? undefined : target.slice(0, colon);
  const path = colon < 0 ? target : target.slice(colon + 1);
  if (chapter !== undefined && !chapterName.test(chapter)) {
    return { ok: false, message: `${chapter} is not a chapter name (write 05-dpo:path)` };
  }
  if (!parsePath(path)) return { ok: false, message: `${path} is not a path (write a.b, a.b[2] or a.b.2)` };
  return { ok: true, reference: { path, ...(chapter !== undefined && { chapter }) } };
}

/** A margin: a non-negative number in the stated number's unit, or a result. */
function readMargin(text: string | undefined, percent: boolean): number | Reference {
  if (text === undefined) throw new Malformed('margin needs a number or a result (`margin 0.02`, `margin @noise`)');
  if (text.startsWith('@')) return readReference(text.slice(1));
  const written = readNumber(text);
  if (!written || written.value < 0 || /^[+-]/.test(text)) throw new Malformed(`margin ${text} is not a margin`);
  return percent && !written.percent ? written.value / 100 : written.value;
}
