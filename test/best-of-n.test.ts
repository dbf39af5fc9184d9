// Unit tests of chapter 11's selection, best-of-n estimators and pair labelling
// (src/best-of-n/, src/iterative-dpo/) on hand-computed values.
import { describe, expect, test } from 'vitest';
import {
  below,
  bestOfNKl,
  bestOfNProbability,
  klDraw,
  levelsOf,
  tieAwareKl,
} from '../src/best-of-n/kl.ts';
import {
  bestIndex,
  meanAtBest,
  rankOrder,
  subsetWeights,
  worstIndex,
} from '../src/best-of-n/select.ts';
import { bestWorstPair } from '../src/iterative-dpo/pairs.ts';
import { Rng } from '../src/runtime/random.ts';
import { makePrompt } from '../src/workbench/task.ts';

describe('best-of-n selection', () => {
  test('the highest reward wins; of equal rewards, the earliest', () => {
    expect(bestIndex([1, 3, 3, 2])).toBe(1);
    expect(bestIndex([1, 3, 3, 2], 1)).toBe(0);
    expect(bestIndex([5, 5, 5])).toBe(0);
    expect(worstIndex([2, 1, 1, 3])).toBe(1);
  });
  test('n must be between 1 and the number of rewards', () => {
    expect(() => bestIndex([1, 2], 0)).toThrow(/best of 0/);
    expect(() => bestIndex([1, 2], 3)).toThrow(/best of 3/);
  });
  test('the rank order puts the earlier of equal rewards higher', () => {
    expect(rankOrder([1, 3, 3, 2])).toEqual([0, 3, 2, 1]);
  });
  test('subset weights: C(j, n − 1) / C(M, n)', () => {
    expect(subsetWeights(4, 2).map((w) => w * 6)).toEqual([0, 1, 2, 3]);
    expect(subsetWeights(3, 1)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(subsetWeights(3, 3)).toEqual([0, 0, 1]);
    const sum = subsetWeights(32, 8).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 12);
  });
  test('meanAtBest is the mean over every n-subset, ties included', () => {
    const rewards = [1, 3, 3, 2];
    const values = [10, 20, 30, 40];
    // the six pairs pick 20, 30, 40, 20 (tie: the earlier), 20, 30
    expect(meanAtBest(rewards, values, 2)).toBeCloseTo(160 / 6, 12);
    // brute force, the same rule
    let sum = 0;
    let count = 0;
    for (let i = 0; i < 4; i++)
      for (let j = i + 1; j < 4; j++) {
        sum += values[[i, j][bestIndex([rewards[i], rewards[j]])]];
        count += 1;
      }
    expect(meanAtBest(rewards, values, 2)).toBeCloseTo(sum / count, 12);
    expect(meanAtBest(rewards, values, 1)).toBeCloseTo(25, 12);
    expect(meanAtBest(rewards, values, 4)).toBe(20);
  });
});

describe('the KL of best-of-n', () => {
  test('closed form: n = 1 gives 0, n = 2 gives log 2 − 1/2', () => {
    expect(bestOfNKl(1)).toBe(0);
    expect(bestOfNKl(2)).toBeCloseTo(Math.log(2) - 0.5, 15);
    expect(bestOfNKl(4)).toBeCloseTo(Math.log(4) - 0.75, 15);
  });
  test('levels: the distinct rewards, ascending, their shares and F(l⁻)', () => {
    const levels = levelsOf([0.5, 1, 1, 0]);
    expect(levels).toEqual({ values: [0, 0.5, 1], probs: [0.25, 0.25, 0.5] });
    expect(below(levels)).toEqual([0, 0.25, 0.5]);
  });
  test('π_bon with ties on a hand-made distribution, against enumeration', () => {
    // answers a (p 0.2, r 0), b (p 0.3, r 1), c (p 0.5, r 1): b and c tie
    const p = [0.2, 0.3, 0.5];
    const r = [0, 1, 1];
    expect(bestOfNProbability(0.2, 0.2, 0, 2)).toBeCloseTo(0.04, 12);
    expect(bestOfNProbability(0.3, 0.8, 0.2, 2)).toBeCloseTo(0.36, 12);
    expect(bestOfNProbability(0.5, 0.8, 0.2, 2)).toBeCloseTo(0.6, 12);
    // every ordered pair of draws, the better kept (of a tie, the first drawn)
    const bon = [0, 0, 0];
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) bon[[i, j][bestIndex([r[i], r[j]])]] += p[i] * p[j];
    expect(bon[0]).toBeCloseTo(0.04, 12);
    expect(bon[1]).toBeCloseTo(0.36, 12);
    expect(bon[2]).toBeCloseTo(0.6, 12);
  });
  test('tie-aware KL by hand: two equal levels, n = 2', () => {
    // q = (0.25, 0.75) against p = (0.5, 0.5)
    const kl = 0.25 * Math.log(0.5) + 0.75 * Math.log(1.5);
    expect(tieAwareKl({ values: [0, 1], probs: [0.5, 0.5] }, 2)).toBeCloseTo(kl, 12);
    expect(tieAwareKl({ values: [0, 1], probs: [0.5, 0.5] }, 1)).toBeCloseTo(0, 12);
    expect(kl).toBeLessThan(bestOfNKl(2));
  });
  test('one level (every reward equal): best-of-n is π itself, KL 0', () => {
    expect(tieAwareKl({ values: [1], probs: [1] }, 8)).toBe(0);
  });
  test('many small levels (nearly continuous): the closed form', () => {
    const M = 10000;
    const levels = {
      values: Array.from({ length: M }, (_, i) => i),
      probs: Array<number>(M).fill(1 / M),
    };
    expect(tieAwareKl(levels, 4)).toBeCloseTo(bestOfNKl(4), 3);
    expect(tieAwareKl(levels, 4)).toBeLessThan(bestOfNKl(4));
  });
  test('Monte Carlo: tie-broken draws give the closed form, tied ones the tie-aware KL', () => {
    const levels = { values: [0, 0.5, 1], probs: [0.1, 0.2, 0.7] };
    const rng = new Rng(3);
    const draws = (tieBreak: boolean) => {
      let s = 0;
      for (let i = 0; i < 40000; i++) s += klDraw(levels, 4, rng, tieBreak);
      return s / 40000;
    };
    expect(Math.abs(draws(true) - bestOfNKl(4))).toBeLessThan(0.02);
    expect(Math.abs(draws(false) - tieAwareKl(levels, 4))).toBeLessThan(0.01);
    expect(klDraw(levels, 1, rng, true)).toBe(0);
    expect(klDraw(levels, 1, rng, false)).toBeCloseTo(0, 12);
  });
});

describe('best and worst pair labelling', () => {
  const prompt = makePrompt([3, 1, 4, 1]);
  const answers = [[1], [2], [3], [4]];
  test('chosen: the highest reward, rejected: the lowest (ties: the earliest)', () => {
    expect(bestWorstPair(prompt, answers, [0.5, 1, 0.2, 1])).toEqual({
      prompt,
      chosen: [2],
      rejected: [3],
    });
    expect(bestWorstPair(prompt, answers, [0.2, 1, 0.2, 0.5])).toEqual({
      prompt,
      chosen: [2],
      rejected: [1],
    });
  });
  test('a group whose rewards are all equal gives no pair', () => {
    expect(bestWorstPair(prompt, answers, [1, 1, 1, 1])).toBeUndefined();
    expect(bestWorstPair(prompt, [[1]], [0.3])).toBeUndefined();
  });
});
