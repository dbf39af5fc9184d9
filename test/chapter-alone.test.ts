// A chapter's tests run alone (`vitest run -t 01-rl-basics`) check what the whole suite
// checks: the program runs on the backend asked for (the book's, wasm, when none is named),
// its record is compared, its claims are exact there, and nothing is skipped but the other
// chapters. Chapter 01 uses no tensors and selects no backend of its own, the case that once
// fell back to cpu and skipped its record; it runs in half a second.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { ROOT } from '../scripts/run-chapter.ts';

interface Assertion {
  fullName: string;
  status: string;
}

/** Run the claims suite filtered to one chapter, and the status of each of its tests. */
async function runAlone(chapter: string, backend?: string): Promise<Assertion[]> {
  const dir = mkdtempSync(join(tmpdir(), 'alone-'));
  const out = join(dir, 'report.json');
  const env: NodeJS.ProcessEnv = { ...process.env, RLHF_KEEP: '0' };
  for (const name of ['CI', 'RLHF_BACKEND', 'RLHF_UPDATE_COSTS', 'VITEST', 'VITEST_POOL_ID', 'VITEST_WORKER_ID']) {
    delete env[name];
  }
  if (backend) env.RLHF_BACKEND = backend;
  try {
    const vitest = join(ROOT, 'node_modules', '.bin', 'vitest');
    const args = ['run', 'test/chapters.test.ts', '-t', chapter, '--reporter=json', `--outputFile=${out}`];
    await promisify(execFile)(vitest, args, { cwd: ROOT, env, timeout: 120_000 });
    const report = JSON.parse(readFileSync(out, 'utf8')) as { testResults: { assertionResults: Assertion[] }[] };
    return report.testResults.flatMap((file) => file.assertionResults);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('one chapter run alone (vitest -t NAME)', () => {
  test.each<[string, string | undefined, string]>([
    ['unset', undefined, 'wasm'],
    ['=cpu', 'cpu', 'cpu'],
  ])('RLHF_BACKEND %s: every test of that chapter runs on the backend %s, none skipped', async (_label, asked, ran) => {
    const results = await runAlone('01-rl-basics', asked);
    const own = results.filter((r) => r.fullName.includes('chapters/01-rl-basics.md'));
    const others = results.filter((r) => !r.fullName.includes('chapters/01-rl-basics.md'));
    expect(own.filter((r) => r.status !== 'passed').map((r) => `${r.fullName}: ${r.status}`)).toEqual([]);
    const names = own.map((r) => r.fullName);
    expect(names).toContain(`chapters/01-rl-basics.md its program runs (on ${ran})`);
    expect(names).toContain(`chapters/01-rl-basics.md returns what its record on ${ran} says (chapters/public/results)`);
    expect(names.filter((n) => / line \d+: /.test(n)).length).toBeGreaterThan(40);
    expect(others.every((r) => r.status === 'skipped' || r.status === 'pending')).toBe(true);
  }, 180_000);
});
