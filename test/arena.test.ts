// Unit tests of chapter 14 on hand-computed values: battles and lost battles, Elo, the
// Bradley–Terry fit by MM iterations and its bootstrap, the two-proportion z-test, the
// sample size of an A/B test, the logistic evaluator, and the arena's players.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, test } from "vitest";
import { fitLogistic, likeProbability } from "../src/ab/evaluator.ts";
import {
  normalCdf,
  normalQuantile,
  sampleSize,
  twoProportionTest,
} from "../src/ab/test.ts";
import { lostBattles, points, roundRobin } from "../src/arena/battle.ts";
import { disjointBatches, oracle } from "../src/arena/players.ts";
import {
  bootstrapRatings,
  bradleyTerry,
  eloExpected,
  eloRatings,
  onEloScale,
  winMatrix,
} from "../src/arena/rating.ts";
import { Rng } from "../src/runtime/random.ts";
import { makePrompt, sideOf } from "../src/workbench/task.ts";
import { EOS } from "../src/workbench/vocab.ts";
import {
  BACKENDS_UNDER_TEST,
  onBackendWithoutLeaks,
} from "./support/backends.ts";

describe("battles", () => {
  test("points: a win, a tie, a loss", () => {
    expect([points(2, 1), points(1, 1), points(1, 2)]).toEqual([1, 0.5, 0]);
  });
  test("a round robin: every pair of players on every prompt", () => {
    const battles = roundRobin([
      [1, 0],
      [0, 0],
      [1, 1],
    ]);
    expect(battles).toEqual([
      { a: 0, b: 1, points: 1 },
      { a: 0, b: 2, points: 0.5 },
      { a: 1, b: 2, points: 0 },
      { a: 0, b: 1, points: 0.5 },
      { a: 0, b: 2, points: 0 },
      { a: 1, b: 2, points: 0 },
    ]);
  });
});

describe("Elo", () => {
  test("equal ratings expect half a point; 400 points apart, 10 to 1", () => {
    expect(eloExpected(1000, 1000)).toBe(0.5);
    expect(eloExpected(1400, 1000)).toBeCloseTo(10 / 11, 12);
  });
  test("K = 32: a win moves both by 16, then a loss gives B 32 × (1 − its expectation)", () => {
    const [a, b] = eloRatings([{ a: 0, b: 1, points: 1 }], 2, 32);
    expect([a, b]).toEqual([1016, 984]);
    const after = eloRatings(
      [
        { a: 0, b: 1, points: 1 },
        { a: 1, b: 0, points: 1 },
      ],
      2,
      32,
    );
    // B expected 1/(1 + 10^(32/400)) = 0.454078; gains 32 × 0.545922 = 17.4695
    expect(after[1]).toBeCloseTo(984 + 17.4695, 3);
    expect(after[0] + after[1]).toBeCloseTo(2000, 10);
  });
  test("depends on the order of the battles", () => {
    const battles = [
      { a: 0, b: 1, points: 1 },
      { a: 0, b: 1, points: 0 },
    ];
    const forward = eloRatings(battles, 2, 32);
    const backward = eloRatings([...battles].reverse(), 2, 32);
    expect(forward[0]).toBeLessThan(1000);
    expect(backward[0]).toBeGreaterThan(1000);
  });
});

describe("Bradley–Terry", () => {
  test("the win matrix: ties half to each", () => {
    expect(
      winMatrix(
        [
          { a: 0, b: 1, points: 1 },
          { a: 1, b: 0, points: 0.5 },
        ],
        2,
      ),
    ).toEqual([
      [0, 1.5],
      [0.5, 0],
    ]);
  });
  test("3 wins of 4: strengths 3 to 1, 400 log₁₀ 3 = 190.85 Elo apart", () => {
    const p = bradleyTerry([
      [0, 3],
      [1, 0],
    ]);
    expect(p[0] / p[1]).toBeCloseTo(3, 8);
    expect(p[0] * p[1]).toBeCloseTo(1, 8); // geometric mean 1
    const r = onEloScale(p);
    expect(r[0]).toBe(1000);
    expect(r[1]).toBeCloseTo(1000 - 190.849, 2);
  });
  test("a balanced cycle: all equal", () => {
    const p = bradleyTerry([
      [0, 2, 1],
      [1, 0, 2],
      [2, 1, 0],
    ]);
    for (const x of p) expect(x).toBeCloseTo(1, 8);
  });
  test("the fit is the maximum: its likelihood's gradient is zero", () => {
    const w = [
      [0, 5, 2],
      [3, 0, 4],
      [1, 2, 0],
    ];
    const p = bradleyTerry(w);
    // ∂ log L / ∂ log p_i = W_i − Σ_j n_ij p_i / (p_i + p_j)
    p.forEach((pi, i) => {
      let g = w[i].reduce((s, x) => s + x, 0);
      p.forEach((pj, j) => {
        if (j !== i) g -= ((w[i][j] + w[j][i]) * pi) / (pi + pj);
      });
      expect(g).toBeCloseTo(0, 8);
    });
  });
  test("a player who never loses has no finite fit", () => {
    expect(() =>
      bradleyTerry([
        [0, 2],
        [0, 0],
      ]),
    ).toThrow(/no finite MLE/);
  });
  test("the bootstrap interval holds the fit, and is reproducible", () => {
    const battles = [
      ...Array(30).fill({ a: 0, b: 1, points: 1 }),
      ...Array(10).fill({ a: 0, b: 1, points: 0 }),
    ];
    const ci = bootstrapRatings(battles, 2, 100, new Rng(1), 1);
    const fit = onEloScale(bradleyTerry(winMatrix(battles, 2)), 1);
    expect(ci.low[0]).toBeLessThan(fit[0]);
    expect(ci.high[0]).toBeGreaterThan(fit[0]);
    expect(ci.low[1]).toBe(1000); // the anchor
    expect(bootstrapRatings(battles, 2, 100, new Rng(1), 1)).toEqual(ci);
  });
});

describe("the A/B test", () => {
  test("Φ and Φ⁻¹ at hand-known points", () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655, 6);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.8)).toBeCloseTo(0.841621, 5);
    expect(() => normalQuantile(1)).toThrow(/not in \(0, 1\)/);
  });
  test("two proportions: 50/100 against 60/100", () => {
    // pooled 0.55; se = √(0.55 × 0.45 × 2/100) = 0.0703562; z = 0.1 / se = 1.42134
    const t = twoProportionTest(50, 100, 60, 100);
    expect(t.difference).toBeCloseTo(0.1, 12);
    expect(t.z).toBeCloseTo(1.42134, 4);
    expect(t.p).toBeCloseTo(0.15521, 4);
    expect(() => twoProportionTest(1, 0, 1, 1)).toThrow(/arms of 0 and 1/);
  });
  test("the sample size for 0.5 against 0.6 at α = 0.05, power 0.8: 388", () => {
    // (1.959964 √(2 × 0.55 × 0.45) + 0.841621 √(0.25 + 0.24))² / 0.01 = 387.33
    expect(sampleSize(0.5, 0.6)).toBe(388);
    expect(sampleSize(0.6, 0.5)).toBe(388);
    expect(() => sampleSize(0.3, 0.3)).toThrow(/equal rates/);
  });
});

describe("the evaluator", () => {
  test("a binary score: the fitted rates are the observed ones", () => {
    // x = 0: 1 like of 2 (b = 0); x = 1: 3 of 4 (a + b = log 3)
    const m = fitLogistic([0, 0, 1, 1, 1, 1], [false, true, true, true, true, false]);
    expect(m.b).toBeCloseTo(0, 8);
    expect(m.a).toBeCloseTo(Math.log(3), 8);
    expect(likeProbability(m, 1)).toBeCloseTo(0.75, 8);
    expect(() => fitLogistic([], [])).toThrow(/0 scores/);
  });
});

describe("the arena's players and batches", () => {
  test("the oracle answers the sorted digits", () => {
    expect(oracle([makePrompt([3, 1, 4, 2])])).toEqual([[1, 2, 3, 4, EOS]]);
  });
  test("batches: disjoint, training side only", () => {
    const [a, b] = disjointBatches(new Rng(3), 2, 500);
    const keys = new Set([...a, ...b].map((p) => p.digits.join("")));
    expect(keys.size).toBe(1000);
    expect([...a, ...b].every((p) => sideOf(p) === "training")).toBe(true);
    expect(() => disjointBatches(new Rng(3), 2, 9000)).toThrow(/disjointBatches/);
  });
});

for (const backend of BACKENDS_UNDER_TEST) {
  describe(`lost battles (${backend})`, () => {
    onBackendWithoutLeaks(backend);
    test("a loss where a rival's best answer scores higher, its answer chosen", () => {
      const before = tf.memory().numTensors;
      // a reward that scores an answer by its first token
      const rm = {
        score: (batch: { tokens: number[][] }) =>
          tf.tensor1d(batch.tokens.map((t) => t[6])),
      };
      const prompts = [makePrompt([3, 1, 4, 2]), makePrompt([5, 6, 7, 8])];
      const model = [
        [1, 2, 3, 4, EOS],
        [8, 7, 6, 5, EOS],
      ];
      const rivals = [
        [
          [1, 2, 3, 4, EOS],
          [5, 6, 7, 8, EOS],
        ],
        [
          [0, 2, 3, 4, EOS],
          [9, 6, 7, 8, EOS],
        ],
      ];
      const lost = lostBattles(rm as never, prompts, model, rivals);
      expect(lost).toEqual([
        { prompt: prompts[1], chosen: [9, 6, 7, 8, EOS], rejected: model[1] },
      ]);
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}
