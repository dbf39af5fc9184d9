/**
 * The tangler refuses what it cannot tangle exactly (issue 13): fences that
 * do not close, bytes that are not UTF-8 text, marks on blocks it does not
 * read, crashes half-way through the swap, file-system failures, and CRLF
 * checkouts.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkSource, readHeader, tangle, tangleToDisk, type ChapterSource } from '../scripts/tangle/index.ts';
import { lockFile, withLock } from '../scripts/tangle/lock.ts';
import { fileSystemSteps, recoverDirectory, replaceDirectory, type SwapSteps } from '../scripts/tangle/write.ts';

const roots: string[] = [];

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A fresh temporary book root holding `files` (path → text or bytes). */
function makeRoot(files: Record<string, string | Uint8Array> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'tangle-hard-'));
  roots.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

/** Every file under `root` (links as `-> target`). */
function snapshot(root: string, relative = ''): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(join(root, relative), { withFileTypes: true })) {
    const path = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) Object.assign(files, snapshot(root, path));
    else if (entry.isSymbolicLink()) files[path] = '-> link';
    else files[path] = readFileSync(join(root, path), 'latin1');
  }
  return files;
}

/** The errors of tangling one chapter made of `lines`. */
function errorsOf(...lines: string[]): string[] {
  const chapter: ChapterSource = { path: 'chapters/01-x.md', source: `${lines.join('\n')}\n` };
  return tangle([chapter]).errors.map((error) => `${error.line}: ${error.message}`);
}

/** Tangle the book at `root`; expect one failing report whose lines match `expected`, and nothing written. */
function expectRefusal(root: string, ...expected: RegExp[]): void {
  const before = snapshot(root);
  const report = tangleToDisk(root);
  expect(report.ok).toBe(false);
  expect(report.lines).toHaveLength(expected.length);
  expected.forEach((pattern, index) => expect(report.lines[index]).toMatch(pattern));
  expect(snapshot(root)).toEqual(before);
}

describe('a closing fence missing in the middle of a chapter', () => {
  it('is found where the next block opens inside it', () => {
    const errors = errorsOf('```ts file=src/a.ts', 'a;', '', 'Prose.', '', '```ts file=src/b.ts', 'b;', '```', '', 'More prose.');
    expect(errors).toEqual([
      "6: a fence inside the ``` block opened at line 1: is that block's closing fence missing? (to show a fence in a block, open it with a longer fence)",
    ]);
  });

  it('is found when the block swallows a block in another language', () => {
    const errors = errorsOf('```ts file=src/a.ts', 'a;', '', '```text output', '1', '```', '', 'Prose.');
    expect(errors).toEqual([expect.stringMatching(/^4: a fence inside the ``` block opened at line 1/)]);
  });

  it('is found when a text block loses its closing fence and swallows a ts block', () => {
    const errors = errorsOf('```text output', '1', '', 'Prose.', '', '```ts file=src/a.ts', 'a;', '```');
    expect(errors).toEqual([expect.stringMatching(/^6: a fence inside the ``` block opened at line 1/)]);
  });

  it('is found when the pairing shifts onto bare fences (the last one is left open)', () => {
    const errors = errorsOf('```ts file=src/a.ts', 'a;', '', 'Prose.', '', '```', 'plain', '```', '', 'End.');
    expect(errors).toEqual([expect.stringMatching(/^8: unterminated fence/)]);
  });

  it('is found with ~~~ fences and inside block quotes', () => {
    expect(errorsOf('> ~~~ts file=src/a.ts', '> a;', '>', '> ~~~ts file=src/b.ts', '> b;', '> ~~~')).toEqual([
      expect.stringMatching(/^4: a fence inside the ~~~ block opened at line 1/),
    ]);
  });

  it('lets a longer fence show shorter fences', () => {
    const result = tangle([
      { path: 'chapters/01-x.md', source: '````ts file=src/a.ts\nconst md = `\n```ts\n~~~\n`;\n````\n' },
    ]);
    expect(result.errors).toEqual([]);
    expect(result.files.get('src/a.ts')).toContain('```ts\n~~~\n');
  });
});

describe('bytes that are not UTF-8 text', () => {
  const block = '```ts file=src/a.ts\nexport const a = 1;\n```\n';

  it('a BOM is dropped: the chapter tangles as without it, on disk and in memory', () => {
    const plain = makeRoot({ 'chapters/01-x.md': block });
    const marked = makeRoot({ 'chapters/01-x.md': `\uFEFF${block}` });
    expect(tangleToDisk(plain).ok).toBe(true);
    expect(tangleToDisk(marked).ok).toBe(true);
    expect(snapshot(marked)['src/a.ts']).toBe(snapshot(plain)['src/a.ts']);
    const inMemory = tangle([{ path: 'chapters/01-x.md', source: `\uFEFF${block}` }]);
    expect(inMemory.files.get('src/a.ts')).toBe(readFileSync(join(plain, 'src/a.ts'), 'utf8'));
  });

  it('a BOM on the opening fence of a later block, or after CRLF, keeps positions', () => {
    const result = tangle([{ path: 'chapters/01-x.md', source: `\uFEFF# T\r\n\r\n${block.replace(/\n/g, '\r\n')}` }]);
    expect(result.errors).toEqual([]);
    expect(result.files.get('src/a.ts')).toContain('// ↳ chapters/01-x.md:4\nexport const a = 1;\n');
  });

  it('invalid UTF-8 is an error naming the file and the byte', () => {
    const latin1 = Buffer.from(`# T\n\nCaf\xe9.\n\n${block}`, 'latin1');
    const root = makeRoot({ 'chapters/01-x.md': latin1 });
    expectRefusal(root, /^chapters\/01-x\.md: not valid UTF-8 \(line 3\); save it as UTF-8$/);
  });

  it('UTF-16 (with or without a BOM) is an error naming the file', () => {
    const utf16 = Buffer.from(`\uFEFF${block}`, 'utf16le');
    expectRefusal(makeRoot({ 'chapters/01-x.md': utf16 }), /^chapters\/01-x\.md: not valid UTF-8/);
    const bare = Buffer.from(block, 'utf16le');
    expectRefusal(makeRoot({ 'chapters/01-x.md': bare }), /^chapters\/01-x\.md: NUL character on line 1/);
  });

  it('a file of src/ that is not UTF-8 is named, not read with replacement characters', () => {
    const root = makeRoot({ 'chapters/01-x.md': block, 'src/b.ts': Buffer.from([0x61, 0xff, 0x0a]) });
    expectRefusal(root, /^src\/b\.ts: not valid UTF-8 \(line 1\)/);
  });

  it('a BOM in a src/ file is a difference, not hidden by decoding', () => {
    const root = makeRoot({ 'chapters/01-x.md': block });
    tangleToDisk(root);
    writeFileSync(join(root, 'src/a.ts'), `\uFEFF${readFileSync(join(root, 'src/a.ts'), 'utf8')}`);
    expect(checkSource(root).lines[0]).toBe('M src/a.ts');
  });
});

describe('a tangler mark on a block the tangler does not read', () => {
  it.each([
    ['another language', '```js file=src/a.ts', /the language `js` is not ts/],
    ['VitePress line highlights', '```ts{2,3} file=src/a.ts', /the language `ts\{2,3\}` is not ts/],
    ['VitePress line numbers', '```ts:line-numbers chunk=x', /the language `ts:line-numbers` is not ts/],
    ['a text block', '```text read-only', /the language `text` is not ts/],
  ])('%s', (_, fence, reason) => {
    expect(errorsOf('# T', '', fence, 'a;', '```')).toEqual([expect.stringMatching(new RegExp(`^3: block with a tangler mark is not tangled: ${reason.source}`))]);
  });

  it('an indented fence (indented code)', () => {
    expect(errorsOf('# T', '', '    ```ts file=src/a.ts', '    a;', '    ```')).toEqual([
      expect.stringMatching(/^3: block with a tangler mark is not tangled: this fence is not read as a fenced block/),
    ]);
  });

  it('a fence inside HTML, or with a backtick in its info string', () => {
    expect(errorsOf('<details>', '```ts file=src/a.ts', 'a;', '```', '</details>')).toEqual([
      expect.stringMatching(/^2: block with a tangler mark is not tangled/),
    ]);
    expect(errorsOf('```ts file=src/`a`.ts', 'a;', '```')).toEqual([
      expect.stringMatching(/^1: block with a tangler mark is not tangled: this fence is not read as a fenced block/),
      expect.stringMatching(/^3: unterminated fence/), // the closing fence, read as an opening one
    ]);
  });

  it('leaves marks shown inside a fenced block, and in list items, alone', () => {
    expect(errorsOf('````md', '```ts file=src/a.ts', '````', '', '- ```ts file=src/b.ts', '  b;', '  ```')).toEqual([]);
  });
});

describe('a crash during the swap of src/', () => {
  const oldTree = new Map([['src/a.ts', 'old a\n'], ['src/old.ts', 'old\n']]);
  const newTree = new Map([['src/a.ts', 'new a\n'], ['src/sub/new.ts', 'new\n']]);

  /** Steps that die at step `crashAt`: it and every later step throw, as a killed process does nothing more. */
  function crashingSteps(crashAt: number): { steps: SwapSteps; crashed: () => boolean } {
    let count = 0;
    const step = <A extends unknown[]>(real: (...args: A) => void) => (...args: A): void => {
      if (count++ >= crashAt) throw new Error('crash');
      real(...args);
    };
    const steps: SwapSteps = {
      rename: step(fileSystemSteps.rename),
      remove: step(fileSystemSteps.remove),
      makeDirectory: step(fileSystemSteps.makeDirectory),
      writeFile: step(fileSystemSteps.writeFile),
    };
    return { steps, crashed: () => count > crashAt };
  }

  function treeOf(root: string): Record<string, string> {
    return Object.fromEntries(Object.entries(snapshot(root)).filter(([path]) => path.startsWith('src/')));
  }

  it('is recovered from at every step: the old tree or the new, and no leftovers', () => {
    const asMap = (tree: Map<string, string>) => Object.fromEntries(tree);
    let crashAt = 0;
    for (; crashAt < 50; crashAt++) {
      const root = makeRoot();
      replaceDirectory(root, 'src', oldTree);
      const { steps, crashed } = crashingSteps(crashAt);
      try {
        replaceDirectory(root, 'src', newTree, steps);
      } catch (error) {
        // A dead process's undo fails too: both are said (see 'a swap whose undo fails too').
        expect((error as Error).message).toMatch(/^(?:crash|.*: crash; putting src\/ back failed too .*)$/);
      }
      if (!crashed()) break;
      recoverDirectory(root, 'src');
      expect([asMap(oldTree), asMap(newTree)]).toContainEqual(treeOf(root));
      expect(readdirSync(join(root, '.tangle'))).toEqual([]);
    }
    expect(crashAt).toBeGreaterThan(6); // every step was crashed at once before a run went through
  });

  it('between the two renames: src/ is gone until the next tangle puts the old tree back, then tangles', () => {
    const root = makeRoot({ 'chapters/01-x.md': '```ts file=src/a.ts\nexport const a = 2;\n```\n' });
    expect(tangleToDisk(root).ok).toBe(true);
    const before = readFileSync(join(root, 'src/a.ts'), 'utf8');
    // Crash right after `src` → `.tangle/prev-src`, the first rename of the swap: nothing runs after it.
    let dead = false;
    const alive = <A extends unknown[]>(real: (...args: A) => void) => (...args: A): void => {
      if (dead) throw new Error('crash');
      real(...args);
    };
    const steps: SwapSteps = {
      rename: (from, to) => {
        alive(fileSystemSteps.rename)(from, to);
        dead = true;
        throw new Error('crash');
      },
      remove: alive(fileSystemSteps.remove),
      makeDirectory: alive(fileSystemSteps.makeDirectory),
      writeFile: alive(fileSystemSteps.writeFile),
    };
    expect(() => replaceDirectory(root, 'src', new Map([['src/a.ts', 'x\n']]), steps)).toThrow('crash');
    expect(existsSync(join(root, 'src'))).toBe(false);
    expect(checkSource(root).lines).toEqual([
      'src/: a tangle was interrupted (its trees are left in .tangle/); run `pnpm tangle` to recover',
    ]);
    expect(tangleToDisk(root).lines[0]).toMatch(/\(0 changed\)/);
    expect(readFileSync(join(root, 'src/a.ts'), 'utf8')).toBe(before);
    expect(readdirSync(join(root, '.tangle'))).toEqual(['read-only']);
  });

  it('cleans the leftovers of older tanglers (names with a process id)', () => {
    const root = makeRoot({
      'chapters/01-x.md': '```ts file=src/a.ts\nexport const a = 2;\n```\n',
      '.tangle/prev-4242-src/a.ts': 'old\n',
      '.tangle/next-4242-src/a.ts': 'half\n',
      '.tangle/next-77-_tangle_read_only/x.ts': 'half\n',
    });
    expect(tangleToDisk(root).ok).toBe(false); // the restored src/a.ts has no header: a hand edit
    expect(readdirSync(join(root, '.tangle')).sort()).toEqual([]);
    expect(readFileSync(join(root, 'src/a.ts'), 'utf8')).toBe('old\n');
  });
});

describe('file-system failures end in one line', () => {
  it('a target below another target names both chapter lines', () => {
    const root = makeRoot({
      'chapters/01-a.md': '```ts file=src/a.ts\na;\n```\n',
      'chapters/02-b.md': '# B\n\n```ts file=src/a.ts/b.ts\nb;\n```\n',
    });
    expectRefusal(root, /^chapters\/02-b\.md:3: src\/a\.ts\/b\.ts lies below src\/a\.ts, which chapters\/01-a\.md:1 writes as a file$/);
  });

  it.each([
    ['a symbolic link to a file', 'src/link.ts', '../chapters/01-x.md'],
    ['a dangling symbolic link', 'src/gone.ts', 'nowhere.ts'],
    ['a symbolic link to a directory', 'src/dir', '../chapters'],
  ])('%s in src/', (_, path, target) => {
    const root = makeRoot({ 'chapters/01-x.md': '```ts file=src/a.ts\na;\n```\n', 'src/keep.ts': 'x\n' });
    symlinkSync(target, join(root, path));
    const name = path.replace('/', '\\/').replace('.', '\\.');
    expectRefusal(root, new RegExp(`^${name}: a symbolic link; src/ may hold only files and directories$`));
    expect(checkSource(root).lines).toEqual([`${path}: a symbolic link; src/ may hold only files and directories`]);
  });

  it('src/ itself a symbolic link', () => {
    const root = makeRoot({ 'chapters/01-x.md': '```ts file=src/a.ts\na;\n```\n', 'elsewhere/a.ts': 'x\n' });
    symlinkSync('elsewhere', join(root, 'src'));
    expectRefusal(root, /^src: a symbolic link; it must be a directory of its own$/);
  });

  it('a chapter that is a symbolic link is named, not skipped', () => {
    const root = makeRoot({ 'notes.md': '```ts file=src/a.ts\na;\n```\n', 'chapters/01-x.md': '# X\n' });
    symlinkSync('../notes.md', join(root, 'chapters/02-y.md'));
    expectRefusal(root, /^chapters\/02-y\.md: a symbolic link; a chapter must be a regular file$/);
  });

  it('a write that fails names the path', () => {
    const root = makeRoot({ 'chapters/01-x.md': '```ts file=src/a.ts\na;\n```\n', '.tangle': 'a file where a directory belongs\n' });
    const report = tangleToDisk(root);
    expect(report).toMatchObject({ ok: false });
    expect(report.lines).toHaveLength(1);
    expect(report.lines[0]).toMatch(/^\.tangle(\/\S*)?: E[A-Z]+: /);
  });
});

describe('targets that differ only in case', () => {
  it('are one file where case does not count: an error at the second block', () => {
    const root = makeRoot({
      'chapters/01-a.md': '```ts file=src/Policy.ts\na;\n```\n',
      'chapters/02-b.md': '# B\n\n```ts file=src/policy.ts\nb;\n```\n',
    });
    expectRefusal(root, /^chapters\/02-b\.md:3: src\/policy\.ts: src\/policy\.ts and src\/Policy\.ts differ only in case/);
  });

  it('and so are directories on the way', () => {
    const errors = errorsOf('```ts file=src/PPO/a.ts', 'a;', '```', '', '```ts file=src/ppo/b.ts', 'b;', '```');
    expect(errors).toEqual(['5: src/ppo/b.ts: src/ppo and src/PPO differ only in case, one path where case does not count']);
  });
});

describe('two tangles at once', () => {
  const chapter = { 'chapters/01-x.md': '```ts file=src/a.ts\nexport const a = 2;\n```\n' };

  it('the second waits, then stops in one line naming the first; nothing is written', () => {
    const root = makeRoot({ ...chapter, [lockFile]: String(process.ppid) }); // a live process
    expect(() => withLock(root, () => 'ran', 100)).toThrow(
      new RegExp(`^\\.tangle/lock: another tangle \\(process ${process.ppid}\\) is writing this book`),
    );
    expect(checkSource(root).lines).toEqual([
      `src/: a tangle (process ${process.ppid}, .tangle/lock) is writing it now; check again when it is done`,
    ]);
    expect(existsSync(join(root, 'src'))).toBe(false);
  });

  it('a lock left by a process that is gone is taken over, and released after', () => {
    const root = makeRoot({ ...chapter, [lockFile]: '2147483646' });
    expect(tangleToDisk(root).ok).toBe(true);
    expect(existsSync(join(root, lockFile))).toBe(false);
  });

  it('the lock is released when the operation fails', () => {
    const root = makeRoot(chapter);
    expect(() => withLock(root, () => { throw new Error('boom'); })).toThrow('boom');
    expect(existsSync(join(root, lockFile))).toBe(false);
  });
});

describe('a swap whose undo fails too', () => {
  it('says both what stopped it and that the tree is not back, in one line', () => {
    const root = makeRoot();
    replaceDirectory(root, 'src', new Map([['src/a.ts', 'old\n']]));
    let renames = 0;
    const steps: SwapSteps = {
      ...fileSystemSteps,
      // The first rename (src aside) works; the second (new tree in) and the undo's fail.
      rename: (from, to) => {
        if (renames++ === 0) return fileSystemSteps.rename(from, to);
        throw Object.assign(new Error(`EACCES: permission denied, rename '${from}'`), { path: from });
      },
    };
    let message = '';
    try {
      replaceDirectory(root, 'src', new Map([['src/a.ts', 'new\n']]), steps);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^\.tangle\/next-src: EACCES: permission denied; putting src\/ back failed too \(\.tangle\/prev-src: EACCES: permission denied\): run pnpm tangle again to recover it$/);
    recoverDirectory(root, 'src'); // the next run does
    expect(readFileSync(join(root, 'src/a.ts'), 'utf8')).toBe('old\n');
  });
});

describe('CRLF checkouts', () => {
  it('a generated file with CRLF endings reads as generated, and is rewritten with LF', () => {
    const root = makeRoot({ 'chapters/01-x.md': '```ts file=src/a.ts\na;\n```\n' });
    tangleToDisk(root);
    const lf = readFileSync(join(root, 'src/a.ts'), 'utf8');
    writeFileSync(join(root, 'src/a.ts'), lf.replace(/\n/g, '\r\n'));
    expect(readHeader(lf.replace(/\n/g, '\r\n'))).toEqual({ kind: 'generated', chapter: 'chapters/01-x.md' });
    expect(checkSource(root).lines[0]).toBe('M src/a.ts');
    expect(tangleToDisk(root).ok).toBe(true);
    expect(readFileSync(join(root, 'src/a.ts'), 'utf8')).toBe(lf);
  });

  it('a CRLF file edited by hand is still refused as a hand edit (hash mismatch)', () => {
    const root = makeRoot({ 'chapters/01-x.md': '```ts file=src/a.ts\na;\n```\n' });
    tangleToDisk(root);
    const lf = readFileSync(join(root, 'src/a.ts'), 'utf8');
    writeFileSync(join(root, 'src/a.ts'), `${lf}b;\n`.replace(/\n/g, '\r\n'));
    writeFileSync(join(root, 'chapters/01-x.md'), '```ts file=src/a.ts\nc;\n```\n');
    expect(tangleToDisk(root).lines[0]).toMatch(/^src\/a\.ts: edited by hand since the last tangle \(hash mismatch\)/);
  });

  it('.gitattributes checks text out with LF', () => {
    const attributes = readFileSync(join(import.meta.dirname, '..', '.gitattributes'), 'utf8');
    expect(attributes).toMatch(/^\* text=auto eol=lf$/m);
  });
});
