/**
 * Matching ` ```text output ` blocks against what a chapter's program printed.
 *
 * Each block must equal a contiguous run of output lines; blocks match in
 * order and do not overlap. Lines are compared token by token (tokens are
 * separated by whitespace, so spacing does not matter):
 *
 * - `…` matches any one token;
 * - a numeric token (`0.93`, `-1.5`, `+2`, `93%`, `1e-3`, also wrapped in
 *   punctuation: `(0.93)`, `0.93,`, `loss=0.93`) matches a numeric token with
 *   the same surroundings whose number, as written, rounds to the digits the block
 *   shows (within half a unit of its last digit) on the backend the chapter's
 *   record was made on; on other backends, it may differ by the block's `tol=`, or
 *   else one unit in the last digit shown;
 * - any other token must be equal.
 *
 * A Markdown table's delimiter row (`| :--- | ---: |`) matches one with the same
 * alignments, whatever the lengths: a column is as wide as its widest cell, which on
 * another backend may have another number of digits.
 */
import { readNumber } from './number.ts';
import type { OutputBlock } from './types.ts';
import { within } from './lookup.ts';

/** A token split into its surroundings and the number in it. */
interface NumericToken {
  before: string;
  number: string;
  after: string;
}

const numericPattern =
  /^((?:[A-Za-z_][\w.]*[=:])?[^\w\s+\-.]*)([+-]?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?%?)([^\w\s%]*)$/;

function readNumeric(token: string): NumericToken | undefined {
  const match = numericPattern.exec(token);
  if (!match) return undefined;
  return { before: match[1]!, number: match[2]!, after: match[3]! };
}

/** How output is compared: `exact` on the backend the chapter's record was made on. */
export interface MatchOptions {
  exact?: boolean;
}

/** Whether output token `actual` matches block token `expected`. */
export function tokenMatches(expected: string, actual: string, tolerance?: number, options: MatchOptions = {}): boolean {
  if (expected === '…' || expected === actual) return true;
  const want = readNumeric(expected);
  const got = readNumeric(actual);
  if (!want || !got || want.before !== got.before || want.after !== got.after) return false;
  if (want.number.endsWith('%') !== got.number.endsWith('%')) return false;
  const wantNumber = readNumber(want.number.replace(/^\+/, '').replace(/%$/, ''));
  const gotNumber = readNumber(got.number.replace(/^\+/, '').replace(/%$/, ''));
  if (!wantNumber || !gotNumber) return false;
  const allowed = options.exact ? wantNumber.unit / 2 : (tolerance ?? wantNumber.unit);
  return within(gotNumber.value, wantNumber.value, allowed);
}

/** The alignments of a Markdown table's delimiter row (`| :-- | --: |` → `:- -:`), if it is one. */
function delimiterRow(line: string): string | undefined {
  if (!/^\s*\|(?:\s*:?-+:?\s*\|)+\s*$/.test(line)) return undefined;
  return line.trim().slice(1, -1).split('|').map((cell) => cell.trim().replace(/-+/, '-')).join(' ');
}

/** Whether output line `actual` matches block line `expected`. */
export function lineMatches(expected: string, actual: string, tolerance?: number, options: MatchOptions = {}): boolean {
  const rule = delimiterRow(expected);
  if (rule !== undefined) return rule === delimiterRow(actual);
  const want = tokens(expected);
  const got = tokens(actual);
  return (
    want.length === got.length && want.every((token, index) => tokenMatches(token, got[index]!, tolerance, options))
  );
}

function tokens(line: string): string[] {
  return line.split(/\s+/).filter((token) => token !== '');
}

/** How many leading lines of `block` match `stdout` from line `start`. */
function matchedPrefix(block: OutputBlock, stdout: readonly string[], start: number, options: MatchOptions): number {
  let count = 0;
  while (
    count < block.lines.length &&
    start + count < stdout.length &&
    lineMatches(block.lines[count]!, stdout[start + count]!, block.tolerance, options)
  ) {
    count++;
  }
  return count;
}

/**
 * Match `blocks` (in order) against the program's output lines. Returns one
 * message per block that does not match; empty when all do.
 */
export function matchOutputs(
  blocks: readonly OutputBlock[],
  stdout: readonly string[],
  options: MatchOptions = {},
): string[] {
  const messages: string[] = [];
  let position = 0;
  for (const block of blocks) {
    const size = block.lines.length;
    let best = { start: position, matched: -1 };
    for (let start = position; start <= Math.max(position, stdout.length - 1); start++) {
      const matched = matchedPrefix(block, stdout, start, options);
      if (matched === size) {
        best = { start, matched };
        break;
      }
      if (matched > best.matched) best = { start, matched };
    }
    if (best.matched === size) {
      position = best.start + size;
      continue;
    }
    messages.push(mismatch(block, stdout, best.matched > 0 ? best.start : position, Math.max(0, best.matched)));
  }
  return messages;
}

/** The message for a block whose best match fails at its line `index`. */
function mismatch(block: OutputBlock, stdout: readonly string[], start: number, index: number): string {
  const outputIndex = start + index;
  const got =
    outputIndex < stdout.length ? `output line ${outputIndex + 1} is ${JSON.stringify(stdout[outputIndex])}` : 'the output has ended';
  const searched = index === 0 ? ' (no output line from here on matches it)' : '';
  return (
    `${block.file}:${block.line}: output block does not match the program's output: ` +
    `${block.file}:${block.line + index} expects ${JSON.stringify(block.lines[index])}${searched}, ${got}`
  );
}
