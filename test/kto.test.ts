// Unit tests of chapter 13 on hand-computed values: the simulated user, the feedback
// classifier and its precision and recall, the data made from feedback (KTO's examples, the
// pairs one can form), KTO's loss, reference point and weights, and the KTO trainer.
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  classify,
  features,
  FEATURES,
  intentProbs,
  precisionRecall,
  trainClassifier,
} from "../src/feedback/classifier.ts";
import {
  formablePairs,
  ktoExamples,
  repeatedPrompts,
  type Labelled,
} from "../src/feedback/data.ts";
import {
  INTENTS,
  react,
  REACTIONS,
  showTurn,
  WORDS,
  type Intent,
  type Turn,
} from "../src/feedback/user.ts";
import {
  balancedWeights,
  ktoLoss,
  mismatchedShift,
  referencePoint,
} from "../src/kto/loss.ts";
import {
  logProbsOf,
  mismatched,
  trainKto,
  type KtoExample,
} from "../src/kto/train.ts";
import { createGpt, disposeGpt, type Gpt } from "../src/runtime/model.ts";
import { Rng } from "../src/runtime/random.ts";
import { GPT_CONFIG } from "../src/workbench/base.ts";
import {
  heldOutPrompts,
  idealAnswer,
  makePrompt,
  randomPrompt,
} from "../src/workbench/task.ts";
import { EOS } from "../src/workbench/vocab.ts";
import {
  BACKENDS_UNDER_TEST,
  onBackendWithoutLeaks,
} from "./support/backends.ts";

const silent = { tick() {}, done() {} };
const p1234 = makePrompt([3, 1, 4, 2]);
const sorted = [1, 2, 3, 4, EOS];

describe("the simulated user", () => {
  test("reacts to right and wrong answers at the rates of REACTIONS", () => {
    const rng = new Rng(1);
    const count = (answer: number[]) => {
      const n: Record<Intent, number> = { positive: 0, negative: 0, none: 0 };
      for (let i = 0; i < 4000; i++)
        n[react(p1234, answer, rng).intent] += 1 / 4000;
      return INTENTS.map((k) => n[k]);
    };
    // 4000 draws: the se of a share is at most 0.008; 0.03 is nearly 4 se
    count(sorted).forEach((x, k) =>
      expect(x).toBeCloseTo(REACTIONS.right[k], 1),
    );
    count([4, 3, 2, 1, EOS]).forEach((x, k) =>
      expect(x).toBeCloseTo(REACTIONS.wrong[k], 1),
    );
    for (const r of Object.values(REACTIONS))
      expect(r.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
  });

  test("a correction carries the sorted digits; a new question other digits", () => {
    const rng = new Rng(2);
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const { intent, turn } = react(p1234, [4, 3, 2, 1, EOS], rng);
      const text = showTurn(turn);
      seen.add(text.replace(/\d+/, "#"));
      if (intent === "negative" && turn.digits.length)
        expect(turn.digits).toEqual(idealAnswer(p1234.digits));
      for (const w of turn.words) expect(WORDS).toContain(w);
    }
    expect(seen).toContain("no it is #");
    expect(seen).toContain("next #");
    expect(showTurn({ words: ["no", "it", "is"], digits: [1, 2, 3, 4] })).toBe(
      "no it is 1234",
    );
    expect(showTurn({ words: ["ok"], digits: [] })).toBe("ok");
  });
});

describe("the feedback classifier", () => {
  const turn = (words: Turn["words"], digits: number[] = []): Turn => ({
    words,
    digits,
  });

  test("features: one per word, one for digits, a constant", () => {
    const x = features(turn(["no", "it", "is"], [1, 2]));
    expect(x).toHaveLength(FEATURES);
    expect(FEATURES).toBe(WORDS.length + 2);
    expect(x.reduce((a, b) => a + b)).toBe(5);
    expect(x[WORDS.indexOf("no")]).toBe(1);
    expect(x[WORDS.length]).toBe(1);
    expect(x[WORDS.length + 1]).toBe(1);
    expect(features(turn(["ok"]))[WORDS.length]).toBe(0);
  });

  test("zero weights: every intent 1/3; a softmax of large logits stays finite", () => {
    const zero = INTENTS.map(() => Array<number>(FEATURES).fill(0));
    for (const p of intentProbs(zero, features(turn(["ok"]))))
      expect(p).toBeCloseTo(1 / 3, 12);
    const big = INTENTS.map((_, k) =>
      Array<number>(FEATURES).fill(k === 1 ? 1000 : 0),
    );
    expect(intentProbs(big, features(turn(["ok"])))).toEqual([0, 1, 0]);
  });

  test("learns a separable case; the first loss is log 3; the loss falls", () => {
    const turns = [
      turn(["thanks"]),
      turn(["no"]),
      turn(["next"], [5, 6, 7, 8]),
    ];
    const intents: Intent[] = ["positive", "negative", "none"];
    const { w, losses } = trainClassifier(turns, intents, {
      steps: 200,
      lr: 1,
      l2: 0,
    });
    expect(losses[0]).toBeCloseTo(Math.log(3), 12);
    expect(losses.at(-1)!).toBeLessThan(0.1);
    turns.forEach((t, i) => expect(classify(w, t)).toBe(intents[i]));
  });

  test("bad input: a one-line error", () => {
    expect(() => trainClassifier([], [], { steps: 1, lr: 1, l2: 0 })).toThrow(
      "trainClassifier: 0 turns, 0 labels",
    );
  });

  test("precision and recall by hand", () => {
    // predicted: T T F F T; true: T F T F T → hits 2 of 3 said, of 3 actual
    const pr = precisionRecall(
      [true, true, false, false, true],
      [true, false, true, false, true],
    );
    expect(pr).toEqual({
      precision: 2 / 3,
      recall: 2 / 3,
      predicted: 3,
      actual: 3,
    });
    expect(precisionRecall([false], [true])).toEqual({
      precision: 0,
      recall: 0,
      predicted: 0,
      actual: 1,
    });
    expect(() => precisionRecall([true], [])).toThrow(
      "precisionRecall: 1 predictions, 0 labels",
    );
  });
});

describe("data from feedback", () => {
  const at = (digits: number[], answer: number[], label: Intent): Labelled => ({
    prompt: makePrompt(digits),
    answer,
    turn: { words: [], digits: [] },
    intent: label,
    label,
  });
  const talk = [
    at([3, 1, 4, 2], sorted, "positive"),
    at([5, 5, 1, 0], [0, 1, 5, 5, EOS], "positive"),
    at([3, 1, 4, 2], [3, 1, 4, 2, EOS], "negative"),
    at([5, 5, 1, 0], [0, 1, 5, 5, EOS], "negative"), // the same answer: no pair
    at([9, 9, 9, 1], [1, 9, 9, 9, EOS], "none"),
    at([3, 1, 4, 2], [1, 2, 4, 3, EOS], "negative"), // a second disliked: not used
  ];

  test("KTO examples: liked desirable, disliked undesirable, no feedback left out", () => {
    const ex = ktoExamples(talk);
    expect(ex.map((e) => e.desirable)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(ex[2].response).toEqual([3, 1, 4, 2, EOS]);
  });

  test("pairs: the first liked and the first different disliked answer per prompt", () => {
    expect(formablePairs(talk)).toEqual([
      {
        prompt: makePrompt([3, 1, 4, 2]),
        chosen: sorted,
        rejected: [3, 1, 4, 2, EOS],
      },
    ]);
    expect(repeatedPrompts(talk)).toBe(2);
  });
});

describe("KTO's loss", () => {
  const config = { beta: 0.1, desirableWeight: 1, undesirableWeight: 2 };

  test("the KL estimate is the mean log-ratio; z₀ floors it at zero", () => {
    expect(mismatchedShift([-3, -5], [-2, -2])).toBe(-2);
    expect(referencePoint(-2)).toBe(0);
    expect(mismatchedShift([-1, -1], [-1.5, -2.5])).toBe(1);
    expect(referencePoint(1)).toBe(1);
    expect(() => mismatchedShift([], [])).toThrow(
      "KTO's KL estimate: 0 and 0 log-probs",
    );
  });

  for (const backend of BACKENDS_UNDER_TEST) {
    describe(`on ${backend}`, () => {
      onBackendWithoutLeaks(backend);

      test("by hand: r = 2, −1, ½; desirable, undesirable, desirable; z₀ = ½", () => {
        // 1 − σ(0.1 · 1.5) = 0.46257015; 2 (1 − σ(0.1 · 1.5)) = 0.92514031; 1 − σ(0) = ½
        const r = tf.tensor1d([2, -1, 0.5]);
        const loss = ktoLoss(r, [true, false, true], 0.5, config);
        expect(loss.dataSync()[0]).toBeCloseTo(0.62923682, 6);
        const g = tf.grad((x: tf.Tensor) =>
          ktoLoss(x as tf.Tensor1D, [true, false, true], 0.5, config),
        )(r);
        // −λ_D β σ'(0.15) / 3, +λ_U β σ'(0.15) / 3, −λ_D β σ'(0) / 3
        const grads = Array.from(g.dataSync());
        expect(grads[0]).toBeCloseTo(-0.00828663, 7);
        expect(grads[1]).toBeCloseTo(0.01657327, 7);
        expect(grads[2]).toBeCloseTo(-0.00833333, 7);
        tf.dispose([r, loss, g]);
      });
    });
  }

  test("balanced weights: the rarer side raised until λ_D n_D = λ_U n_U", () => {
    expect(balancedWeights(300, 100)).toEqual({
      desirableWeight: 1,
      undesirableWeight: 3,
    });
    expect(balancedWeights(100, 400)).toEqual({
      desirableWeight: 4,
      undesirableWeight: 1,
    });
    expect(balancedWeights(5, 5)).toEqual({
      desirableWeight: 1,
      undesirableWeight: 1,
    });
    expect(() => balancedWeights(0, 5)).toThrow(
      "balancedWeights: 0 desirable, 5 undesirable",
    );
  });
});

const TINY = { ...GPT_CONFIG, dModel: 8, nHeads: 2, nLayers: 1 };

for (const backend of BACKENDS_UNDER_TEST) {
  describe(`the KTO trainer on ${backend}`, () => {
    onBackendWithoutLeaks(backend);
    let reference: Gpt;
    const rng = new Rng(3);
    const examples: KtoExample[] = Array.from({ length: 16 }, (_, i) => {
      const prompt = randomPrompt(rng);
      const good = i % 2 === 0;
      return {
        prompt,
        response: good ? [...idealAnswer(prompt.digits), EOS] : [0, 0, EOS],
        desirable: good,
      };
    });
    const config = {
      beta: 0.1,
      desirableWeight: 1,
      undesirableWeight: 1,
      epochs: 2,
      batchSize: 4,
      lr: 1e-2,
    };

    beforeAll(() => {
      reference = createGpt(TINY, new Rng(0));
    });
    afterAll(() => disposeGpt(reference));

    test("mismatched pairs: each prompt with the next answer, the last with the first", () => {
      const kl = mismatched(examples);
      expect(kl[0]).toEqual({
        prompt: examples[0].prompt,
        response: examples[1].response,
      });
      expect(kl[15].response).toEqual(examples[0].response);
    });

    test("raises desirable answers above the reference and lowers undesirable ones", () => {
      const before = tf.memory().numTensors;
      const policy = createGpt(TINY, new Rng(0)); // the reference's weights
      const ref = {
        own: logProbsOf(reference, examples),
        kl: logProbsOf(reference, mismatched(examples)),
      };
      const { losses, shifts } = trainKto(
        policy,
        examples,
        ref,
        config,
        new Rng(4),
        silent,
      );
      expect(losses).toHaveLength(8);
      expect(shifts).toHaveLength(8);
      expect(shifts[0]).toBeCloseTo(0, 5); // the policy starts as the reference
      expect(losses[0]).toBeCloseTo(0.5, 5); // r = 0, z₀ = 0: 1 − σ(0) for every example
      const after = logProbsOf(policy, examples);
      const moved = after.map((lp, i) => lp - ref.own[i]);
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b) / xs.length;
      expect(
        mean(moved.filter((_, i) => examples[i].desirable)),
      ).toBeGreaterThan(0);
      expect(mean(moved.filter((_, i) => !examples[i].desirable))).toBeLessThan(
        0,
      );
      disposeGpt(policy);
      expect(tf.memory().numTensors).toBe(before);
    });

    test("refuses held-out prompts, leaving nothing behind", () => {
      const before = tf.memory().numTensors;
      const leaked = [
        { ...examples[0], prompt: heldOutPrompts(1)[0] },
        ...examples.slice(1),
      ];
      const policy = createGpt(TINY, new Rng(0));
      const ref = { own: examples.map(() => 0), kl: examples.map(() => 0) };
      expect(() =>
        trainKto(policy, leaked, ref, config, new Rng(4), silent),
      ).toThrow(/trainKto: 1 held-out prompts/);
      disposeGpt(policy);
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}
