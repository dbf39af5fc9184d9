/**
 * One tangle at a time. Two tangles of one book at once (two terminals, an editor's
 * watcher and a test run) would each take the other's half-built tree for the
 * leftovers of a crash and remove it. Every operation that writes holds
 * `.tangle/lock`, a file naming its process; a second one waits a little for it and
 * then stops with one line. A lock whose process is gone (a crash) is taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TangleFailure } from './errors.ts';

/** The lock file of the book at `root`, relative to it. */
export const lockFile = '.tangle/lock';

/** How long a tangle waits for another to finish. */
const WAIT_MS = 10_000;

/** The process holding the lock of `root`, when it is alive. */
export function lockHolder(root: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(join(root, lockFile), 'utf8'));
  } catch {
    return undefined;
  }
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Run `operation` holding the lock of the book at `root`. */
export function withLock<T>(root: string, operation: () => T, waitMs = WAIT_MS): T {
  const path = join(root, lockFile);
  mkdirSync(join(root, '.tangle'), { recursive: true });
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = lockHolder(root);
    if (holder === undefined) rmSync(path, { force: true }); // its process is gone: take it over
    else if (Date.now() >= deadline) {
      throw new TangleFailure(`${lockFile}: another tangle (process ${holder}) is writing this book; try again when it is done`);
    } else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
  try {
    return operation();
  } finally {
    rmSync(path, { force: true });
  }
}
