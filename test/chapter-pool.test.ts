// The claims suite's pool of chapter runs (test/support/chapter-pool.ts): a run that fails
// is reported, not lost, and the chapters that wait for a producer start once it is done.
import { afterAll, describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { ROOT } from '../scripts/run-chapter.ts';
import { ChapterPool } from './support/chapter-pool.ts';

describe('ChapterPool', () => {
  const lines: string[] = [];
  const pool = new ChapterPool('wasm', { '98-missing': { seconds: 1, reads: ['never-written'], writes: [] } }, 2, (line) => lines.push(line));
  afterAll(() => pool.stop());

  test('reports a chapter that cannot run, and starts a waiting one when no producer is left', async () => {
    pool.start([join(ROOT, 'chapters', '98-missing.md'), join(ROOT, 'chapters', '99-missing.md')]);
    const [a, b] = await Promise.all([pool.report('98-missing'), pool.report('99-missing')]);
    for (const [report, name] of [[a, '98-missing'], [b, '99-missing']] as const) {
      expect(report.error).toContain(`chapters/${name}.md has no program`);
    }
    expect(lines).toEqual(expect.arrayContaining(['98-missing on wasm: failed', '99-missing on wasm: failed']));
    expect(() => pool.report('00-workbench')).toThrow('00-workbench was not started');
  }, 60_000);
});
