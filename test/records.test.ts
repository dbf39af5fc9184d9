import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareResults, isWallTime, readRecord, writeRecord } from '../scripts/records/index.ts';

describe('compareResults', () => {
  it('finds nothing between equal results', () => {
    const results = { a: 1, b: [0.5, 0.25], c: { d: 'x', e: true } };
    expect(compareResults(results, structuredClone(results))).toEqual([]);
  });

  it('names the path of every difference', () => {
    const differences = compareResults({ a: 1, b: [0.5, 0.25], c: { d: 'x' } }, { a: 1.001, b: [0.5, 0.26], c: { d: 'y' } });
    expect(differences).toEqual(['a: 1 → 1.001', 'b[1]: 0.25 → 0.26', 'c.d: "x" → "y"']);
  });

  it('tolerates only rounding in the ninth digit', () => {
    expect(compareResults({ a: 0.1 + 0.2 }, { a: 0.3 })).toEqual([]);
    expect(compareResults({ a: 0.3 }, { a: 0.3000001 })).toHaveLength(1);
  });

  it('reports keys added, removed, and arrays that changed length', () => {
    expect(compareResults({ a: 1, b: [1, 2] }, { c: 1, b: [1] })).toEqual([
      'a: recorded but no longer returned',
      'b: an array of 2 → an array of 1',
      'c: returned but not recorded',
    ]);
  });

  it('only asks measured wall times to be numbers', () => {
    expect(isWallTime('seconds') && isWallTime('trainingSeconds') && !isWallTime('secondsPerStep')).toBe(true);
    expect(compareResults({ dpo: { seconds: 2.1 } }, { dpo: { seconds: 3.7 } })).toEqual([]);
    expect(compareResults({ seconds: 2.1 }, { seconds: null })).toHaveLength(1);
  });

  it('compares results as JSON stores them', () => {
    expect(compareResults({ a: null }, { a: Number.NaN, b: undefined })).toEqual([]);
  });
});

describe('records on disk', () => {
  it('writes a record whole and reads it back', () => {
    const root = mkdtempSync(join(tmpdir(), 'records-'));
    const path = writeRecord(root, { chapter: '05-dpo', backend: 'wasm', results: { dpo: { kl: 1.64 } } });
    expect(path).toBe(join(root, 'chapters/public/results/05-dpo.json'));
    expect(readdirSync(join(root, 'chapters/public/results'))).toEqual(['05-dpo.json']);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ chapter: '05-dpo', backend: 'wasm', results: { dpo: { kl: 1.64 } } });
    expect(readRecord(root, 'chapters/05-dpo.md').results).toEqual({ dpo: { kl: 1.64 } });
  });

  it('says how to make a missing record', () => {
    const root = mkdtempSync(join(tmpdir(), 'records-'));
    expect(() => readRecord(root, '07-tdpo')).toThrow('no recorded results for 07-tdpo on wasm: run pnpm record 07-tdpo');
    expect(() => readRecord(root, '07-tdpo', 'cpu')).toThrow('no recorded results for 07-tdpo on cpu: run pnpm record 07-tdpo --backend cpu');
  });

  it("keeps other backends' records in a folder of their own", () => {
    const root = mkdtempSync(join(tmpdir(), 'records-'));
    const path = writeRecord(root, { chapter: '05-dpo', backend: 'cpu', kernels: 'tfjs', results: { dpo: { kl: 1.63 } } });
    expect(path).toBe(join(root, 'chapters/public/results/cpu/05-dpo.json'));
    expect(readRecord(root, '05-dpo', 'cpu')).toEqual({ chapter: '05-dpo', backend: 'cpu', kernels: 'tfjs', results: { dpo: { kl: 1.63 } } });
    expect(() => readRecord(root, '05-dpo')).toThrow('on wasm');
  });
});
