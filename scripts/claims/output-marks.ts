/**
 * Output blocks where the claims checker does not look. A program's output is shown
 * in a fenced block opened with ```` ```text output ````, which the tests compare with
 * what the program prints. A block meant as one but not read as one would go unchecked
 * without a word: `output` misspelt (`ouput`, `Output`, `outputs`), another language
 * word (`txt`, `Text`, `console`), an indented fence, a fence inside HTML. Each is an
 * error: any line that opens like a fence and has a word that is `output` or a slip of
 * it, unless it opens a fenced `text` block (whose words `read.ts` checks one by one).
 * Lines inside fenced blocks are content, not fences, and are left alone.
 */
import leven from 'leven';
import { fencePattern } from '../tangle/stray.ts';

/** Whether `word` is `output` or a slip of it (at most two edits, any case). */
export function looksLikeOutput(word: string): boolean {
  const lower = word.toLowerCase();
  return lower.length >= 4 && !/^inputs?$/.test(lower) && leven(lower, 'output') <= 2;
}

/** What the code nodes of a chapter say about its lines (1-based). */
export interface CodeLines {
  /** Opening lines of fenced blocks, with their language word. */
  fenced: ReadonlyMap<number, string>;
  /** Content lines of fenced blocks. */
  content: ReadonlySet<number>;
}

/** Errors for every line that opens like an output block the checker will not read. */
export function strayOutputMarks(file: string, lines: readonly string[], code: CodeLines): string[] {
  const errors: string[] = [];
  lines.forEach((text, index) => {
    const line = index + 1;
    if (code.content.has(line) || code.fenced.get(line) === 'text') return;
    const info = fencePattern.exec(text)?.[1];
    const word = info?.split(/[\s{}=,.;:]+/).find(looksLikeOutput);
    if (word === undefined) return;
    const lang = code.fenced.get(line);
    const why =
      lang === undefined
        ? 'this fence is not read as a fenced block (indented code, HTML, or a backtick in the info string)'
        : `its language is \`${lang}\`, not \`text\``;
    errors.push(
      `${file}:${line}: \`${word}\` but not an output block the tests compare: ${why}; ` +
        'open program output with ```text output, at most three spaces in',
    );
  });
  return errors;
}
