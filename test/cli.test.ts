// The commands a reader types, run for real: each way of running a chapter (chapter 01, which
// needs no base models and runs in about a second), from the root and from chapters/; a bad
// backend, a chapter that is not one and an unknown flag, each said in one line with exit
// status 2; and `--help` of every command that takes arguments.
import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT } from '../scripts/run-chapter.ts';

/** One command may take this long, and a test longer (the tests run one at a time). */
const COMMAND_TIMEOUT_MS = 150_000; // generous: in CI this runs beside the chapter suite, on every core
const TIMEOUT_MS = 3 * COMMAND_TIMEOUT_MS; // a test may run up to three commands

/**
 * A reader's environment: none of what the pnpm that started vitest set for its children
 * (NODE_OPTIONS among it, which would hide what a bare `tsx` does). Nothing kept in .cache
 * is used, and pnpm does not re-check the installed packages before each script (a check
 * that, where several checkouts share one node_modules, re-installs and prints a summary).
 */
function readerEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(NODE_OPTIONS|INIT_CWD|PNPM_SCRIPT_SRC_DIR|npm_.*|pnpm_.*|RLHF_.*)$/.test(key)),
  );
  return { ...env, RLHF_KEEP: '0', pnpm_config_verify_deps_before_run: 'false', ...extra };
}

interface Ran {
  status: number;
  stdout: string;
  stderr: string;
}

/** How many commands run at once: as many as the machine has cores. */
let free = availableParallelism();
const waiting: Array<() => void> = [];

/** Run `line` (split on spaces) in `dir` of the repository, when a core is free. */
async function run(line: string, { dir = '.', env = {} }: { dir?: string; env?: Record<string, string> } = {}): Promise<Ran> {
  if (free === 0) await new Promise<void>((go) => waiting.push(go));
  else free--;
  const [file, ...args] = line.split(' ');
  try {
    return await new Promise((done) => {
      execFile(file, args, { cwd: join(ROOT, dir), env: readerEnv(env), timeout: COMMAND_TIMEOUT_MS, encoding: 'utf8' }, (error, stdout, stderr) => {
        const status = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        done({ status, stdout, stderr });
      });
    });
  } finally {
    const next = waiting.shift();
    if (next) next();
    else free++;
  }
}

const lines = (text: string) => text.split('\n').filter((line) => line !== '');

/** What a successful run of chapter 01 prints: its backend first, then its world. */
function expectChapter01(ran: Ran, backend = /wasm|node|cpu/) {
  expect(ran.status, ran.stderr).toBe(0);
  const out = lines(ran.stdout);
  expect(out[0]).toMatch(new RegExp(`^backend: (${backend.source}) \\(unused: `));
  expect(out[1]).toBe('grid 5x5, start bottom-left, diamond top-right, shortest path 8 steps');
}

/** A mistake: one line on stderr that starts with the command, exit status 2, nothing on stdout. */
function expectOneLine(ran: Ran, command: string, says: string | RegExp) {
  expect(ran.status, ran.stderr).toBe(2);
  expect(ran.stdout).toBe('');
  expect(lines(ran.stderr)).toHaveLength(1);
  expect(ran.stderr.startsWith(`${command}: `), ran.stderr).toBe(true);
  expect(ran.stderr).toMatch(says);
}

describe('running chapter 01', { timeout: TIMEOUT_MS }, () => {
  test('pnpm tsx chapters/01-rl-basics.md', async () => {
    expectChapter01(await run('pnpm tsx chapters/01-rl-basics.md'));
  });

  test('pnpm exec tsx chapters/01-rl-basics.md (pnpm-workspace.yaml nodeOptions)', async () => {
    expectChapter01(await run('pnpm exec tsx chapters/01-rl-basics.md'));
  });

  test('npx tsx chapters/01-rl-basics.md (.npmrc node-options)', async () => {
    expectChapter01(await run('npx tsx chapters/01-rl-basics.md'));
  });

  test('pnpm chapter 01, on the backend it is asked for', async () => {
    expectChapter01(await run('pnpm chapter 01 --backend cpu'), /cpu/);
  });

  test('from chapters/: pnpm tsx, pnpm exec tsx and pnpm chapter find the chapter and the hook', async () => {
    const runs = await Promise.all(['pnpm tsx 01-rl-basics.md', 'pnpm exec tsx 01-rl-basics.md', 'pnpm chapter 01-rl-basics.md'].map((line) => run(line, { dir: 'chapters' })));
    for (const ran of runs) expectChapter01(ran);
  });

  test('a bare tsx needs the hook: node_modules/.bin/tsx --import ./scripts/register.mjs chapters/01-rl-basics.md', async () => {
    expectChapter01(await run('node_modules/.bin/tsx --import ./scripts/register.mjs chapters/01-rl-basics.md'));
  });

  test('a bare tsx without it: Node refuses a .md file (no code of the book is loaded to say more)', async () => {
    const ran = await run('node_modules/.bin/tsx chapters/01-rl-basics.md');
    expect(ran.status).not.toBe(0);
    expect(ran.stderr).toContain('ERR_UNKNOWN_FILE_EXTENSION');
  });
});

describe('mistakes are one line and exit status 2', { timeout: TIMEOUT_MS }, () => {
  test('--backend bogus', async () => {
    expectOneLine(await run('pnpm --silent tsx chapters/01-rl-basics.md --backend bogus'), 'tsx chapters/01-rl-basics.md', '--backend bogus: expected one of node, wasm, cpu');
  });

  test('RLHF_BACKEND=bogus', async () => {
    const ran = await run('pnpm --silent chapter 01', { env: { RLHF_BACKEND: 'bogus' } });
    expectOneLine(ran, 'pnpm chapter', 'RLHF_BACKEND=bogus: expected one of node, wasm, cpu');
  });

  test('pnpm chapter 99', async () => {
    expectOneLine(await run('pnpm --silent chapter 99'), 'pnpm chapter', "no single chapter matches '99'; the chapters are: 00-workbench, 01-rl-basics");
  });

  test('a chapter file that is not there', async () => {
    expectOneLine(await run('pnpm --silent tsx 99-none.md', { dir: 'chapters' }), 'tsx 99-none.md', 'no such file');
  });

  const unknownFlag = [
    ['pnpm --silent tsx chapters/01-rl-basics.md --bogus', 'tsx chapters/01-rl-basics.md'],
    ['pnpm --silent exec tsx chapters/01-rl-basics.md --bogus', 'tsx chapters/01-rl-basics.md'],
    ...['chapter 01', 'record 01', 'book', 'bench', 'tangle', 'typecheck'].map((script) => [`pnpm --silent ${script} --bogus`, `pnpm ${script.split(' ')[0]}`]),
  ];
  for (const [line, command] of unknownFlag) {
    test(`an unknown flag: ${line}`, async () => {
      expectOneLine(await run(line), command, "Unknown option '--bogus'");
    });
  }
});

describe('--help', { timeout: TIMEOUT_MS }, () => {
  const commands = ['pnpm tsx chapters/01-rl-basics.md', 'pnpm chapter', 'pnpm record', 'pnpm book', 'pnpm bench', 'pnpm tangle', 'pnpm typecheck'];
  for (const command of commands) {
    test(`${command} --help`, async () => {
      const ran = await run(`pnpm --silent ${command.slice('pnpm '.length)} --help`);
      expect(ran.status, ran.stderr).toBe(0);
      expect(ran.stdout).toMatch(/^usage: pnpm /);
    });
  }
});
