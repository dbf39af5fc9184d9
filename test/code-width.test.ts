// Teaching code fits the page (issue 14): no line of a chapter's ```ts blocks is wider than
// 90 characters, which `pnpm format:chapters` (Prettier, and the comment wrapping below)
// brings about. The browser suite checks the same on the page (test/browser/layout.test.ts).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODE_WIDTH, formatChapter, wideLines, wrapComments } from '../scripts/format-chapters.ts';
import { chapterFiles } from '../scripts/run-chapter.ts';

describe('every chapter’s code fits 90 characters a line', () => {
  for (const path of chapterFiles()) {
    it(basename(path), () => {
      const source = readFileSync(path, 'utf8');
      const lines = source.split('\n');
      expect(wideLines(source).map((line) => `${line}: ${lines[line - 1]}`)).toEqual([]);
    });
  }
});

describe('wrapComments', () => {
  const long = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(' ');

  it('turns a one-line doc comment that is too wide into a block', () => {
    const wrapped = wrapComments(`  /** ${long(16)} */`).split('\n');
    expect(wrapped[0]).toBe('  /**');
    expect(wrapped.at(-1)).toBe('   */');
    expect(wrapped.slice(1, -1).every((l) => l.startsWith('   * ') && l.length <= CODE_WIDTH)).toBe(true);
    expect(wrapped.slice(1, -1).join(' ').replace(/\s*\* /g, ' ').trim()).toBe(long(16));
  });

  it('moves a comment after code above it, and wraps line comments', () => {
    const line = `  const x = f('a // b'); // ${long(12)}`;
    const wrapped = wrapComments(line).split('\n');
    expect(wrapped.at(-1)).toBe("  const x = f('a // b');");
    expect(wrapped.slice(0, -1).every((l) => l.startsWith('  // ') && l.length <= CODE_WIDTH)).toBe(true);
  });

  it('leaves lines that fit, and a // inside a string, alone', () => {
    const fits = '  const url = "https://example.org"; // short';
    expect(wrapComments(fits)).toBe(fits);
    const inString = `  const s = 'a // ${long(14)}';`;
    expect(wrapComments(inString)).toBe(inString);
  });
});

describe('formatChapter', () => {
  it('formats the ts blocks only, and says which it could not parse', async () => {
    const source = [
      '# T',
      '',
      'Prose  stays   as it is.',
      '',
      '```ts file=src/a.ts',
      'const   a = {x:1}',
      '```',
      '',
      '```ts file=src/b.ts',
      '  private t = 0;',
      '}',
      '```',
      '',
      '```sh',
      'echo   x',
      '```',
      '',
    ].join('\n');
    const { source: out, changed, skipped } = await formatChapter(source);
    expect(out).toContain('Prose  stays   as it is.');
    expect(out).toContain("```ts file=src/a.ts\nconst a = { x: 1 };\n```");
    expect(out).toContain('echo   x');
    expect(changed).toBe(1);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatch(/^9: /);
  });
});
