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
import { NOT_A_FENCED_BLOCK, unreadFences, type FenceLines } from '../tangle/stray.ts';

/** Whether `word` is `output` or a slip of it (at most two edits, any case). */
export function looksLikeOutput(word: string): boolean {
  const lower = word.toLowerCase();
  return lower.length >= 4 && !/^inputs?$/.test(lower) && leven(lower, 'output') <= 2;
}

/** Errors for every line that opens like an output block the checker will not read. */
export function strayOutputMarks(file: string, lines: readonly string[], fences: FenceLines): string[] {
  return unreadFences(lines, fences, (lang) => lang === 'text').flatMap(({ line, info, lang }) => {
    const word = info.split(/[\s{}=,.;:]+/).find(looksLikeOutput);
    if (word === undefined) return [];
    const why = lang === undefined ? NOT_A_FENCED_BLOCK : `its language is \`${lang}\`, not \`text\``;
    return [
      `${file}:${line}: \`${word}\` but not an output block the tests compare: ${why}; ` +
        'open program output with ```text output, at most three spaces in',
    ];
  });
}
