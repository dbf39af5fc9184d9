/**
 * What every command of the book that takes arguments shares (`pnpm chapter`, `pnpm record`,
 * `pnpm book`, `pnpm bench`, `pnpm tangle`, `pnpm typecheck`, `pnpm tsx chapters/NN-name.md`):
 * `--help` prints the usage on stdout and exits 0, and a mistake the reader can fix — an
 * unknown flag, no such chapter, a backend that is not one — is said in one line on stderr,
 * with exit status 2, instead of a stack trace.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { BackendName } from '../src/runtime/backend.ts';

/** A mistake in what was typed, or in the setup, that one line can explain. */
export class UserError extends Error {}

/** A command as the reader types it, and its usage (the first line starts `usage:`). */
export interface Command {
  name: string;
  usage: string;
}

/** Parse the command line (`--help` included); `--help` prints the usage and exits 0. */
export function parseCommandLine<const T extends ParseArgsConfig>(command: Command, config: T): ReturnType<typeof parseArgs<T>> {
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    throw new UserError((error as Error).message.replace(/\. To specify a positional argument.*$/, ''));
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(command.usage);
    process.exit(0);
  }
  return parsed;
}

/** Run a command's body; a UserError it throws is said in one line on stderr, and exits 2. */
export async function runCommand<T>(command: Command, body: () => Promise<T> | T): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    console.error(`${command.name}: ${error.message.replace(/\s*\n\s*/g, '; ')} (${command.name} --help for usage)`);
    process.exit(2);
  }
}

/** The backend named by `--backend`, if one was. */
let backendFlag: string | undefined;

/** `--backend NAME`: sets RLHF_BACKEND, which every later `useBackend()` reads. */
export function askBackend(name: string | undefined): void {
  if (name === undefined) return;
  backendFlag = name;
  process.env.RLHF_BACKEND = name;
}

/**
 * Select the backend before a chapter runs, as its own `useBackend()` will: RLHF_BACKEND's
 * (which `--backend` sets), else the fastest that loads. A name that is not one fails here.
 * (Imported when needed: `pnpm tangle` and `pnpm typecheck` must run whatever src/ holds.)
 */
export async function selectBackend(): Promise<BackendName> {
  const { useBackend } = await import('../src/runtime/backend.ts');
  try {
    return await useBackend();
  } catch (error) {
    const message = (error as Error).message;
    throw new UserError(backendFlag === undefined ? message : message.replace(`RLHF_BACKEND=${backendFlag}`, `--backend ${backendFlag}`));
  }
}

/** The options of every command that runs chapters. */
export const CHAPTER_OPTIONS = {
  backend: { type: 'string', short: 'b' },
  fresh: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Their lines of usage. */
export const CHAPTER_OPTIONS_USAGE = [
  '  --backend, -b  node, wasm or cpu (default: RLHF_BACKEND, else the fastest that loads)',
  '  --fresh        train the base models again instead of loading them (RLHF_KEEP=0)',
].join('\n');

/** Apply them: `--backend` sets RLHF_BACKEND, `--fresh` sets RLHF_KEEP=0. */
export function applyChapterOptions(values: { backend?: string; fresh?: boolean }): void {
  askBackend(values.backend);
  if (values.fresh) process.env.RLHF_KEEP = '0';
}
