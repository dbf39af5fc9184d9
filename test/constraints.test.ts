// Unit tests of chapter 14's complex instructions (src/constraints/) on hand values: the
// constrained prompts and ideal answers, the score, the per-constraint checks, the
// held-out split, the token-budget batches, and training to a budget without leaks.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  answerTokens,
  budgetBatch,
  constrainedDemo,
  heldOutConstrained,
} from '../src/constraints/data.ts';
import { checkConstraints, constrainedScore } from '../src/constraints/judge.ts';
import {
  constrainedIdeal,
  constrainedPrompt,
  MULTI,
  PLAIN,
  SINGLE,
} from '../src/constraints/task.ts';
import { trainOnBudget } from '../src/constraints/train.ts';
import { createGpt, disposeGpt, type Gpt } from '../src/runtime/model.ts';
import { Rng } from '../src/runtime/random.ts';
import { GPT_CONFIG } from '../src/workbench/base.ts';
import type { Example } from '../src/workbench/corpus.ts';
import { makePrompt, sideOf, trueScore } from '../src/workbench/task.ts';
import { detokenize, EOS } from '../src/workbench/vocab.ts';
import { BACKENDS_UNDER_TEST, onBackendWithoutLeaks } from './support/backends.ts';

const silent = { tick() {}, done() {} };
const [DESC, UNIQUE] = SINGLE;
const BOTH = MULTI[0];
const digits = [3, 1, 4, 1];
const answer = (text: string) => [...text].map(Number).concat(EOS);

describe('constrained prompts', () => {
  test('the first token says the order, the last whether repeats are kept', () => {
    expect(detokenize(constrainedPrompt(digits, PLAIN).tokens)).toBe('^3141=');
    expect(detokenize(constrainedPrompt(digits, DESC).tokens)).toBe('.3141=');
    expect(detokenize(constrainedPrompt(digits, UNIQUE).tokens)).toBe('^3141$');
    expect(detokenize(constrainedPrompt(digits, BOTH).tokens)).toBe('.3141$');
    expect(constrainedPrompt(digits, PLAIN).tokens).toEqual(makePrompt(digits).tokens);
  });

  test('the ideal answers', () => {
    expect(constrainedIdeal(digits, PLAIN)).toEqual([1, 1, 3, 4]);
    expect(constrainedIdeal(digits, DESC)).toEqual([4, 3, 1, 1]);
    expect(constrainedIdeal(digits, UNIQUE)).toEqual([1, 3, 4]);
    expect(constrainedIdeal(digits, BOTH)).toEqual([4, 3, 1]);
    expect(digits).toEqual([3, 1, 4, 1]); // not sorted in place
  });
});

describe('the judge of constrained prompts', () => {
  const both = constrainedPrompt(digits, BOTH);
  test('the score: right positions over the longer of answer and ideal', () => {
    expect(constrainedScore(both, answer('431'))).toBe(1);
    expect(constrainedScore(both, answer('4311'))).toBe(3 / 4); // one extra
    expect(constrainedScore(both, answer('134'))).toBe(1 / 3); // only the 3
    expect(constrainedScore(both, answer('43'))).toBe(2 / 3); // one missing
    expect(constrainedScore(both, [4, 3, 1])).toBe(0); // never ends
    // on a plain prompt it is chapter 00's trueScore
    const plain = constrainedPrompt(digits, PLAIN);
    for (const y of [answer('1134'), answer('1143'), answer('113'), answer('')])
      expect(constrainedScore(plain, y)).toBe(trueScore(makePrompt(digits), y));
  });

  test('each constraint checked on its own', () => {
    expect(checkConstraints(both, answer('431'))).toEqual({
      order: true,
      repeats: true,
      all: true,
    });
    // descending but a repeat kept
    expect(checkConstraints(both, answer('4311'))).toEqual({
      order: true,
      repeats: false,
      all: false,
    });
    // no repeats but ascending
    expect(checkConstraints(both, answer('134')).order).toBe(false);
    expect(checkConstraints(both, answer('134')).repeats).toBe(true);
    // the checks do not look at the digits: 975 meets both constraints
    expect(checkConstraints(both, answer('975')).all).toBe(true);
    // kept repeats: as many digits as the prompt
    const desc = constrainedPrompt(digits, DESC);
    expect(checkConstraints(desc, answer('4311')).all).toBe(true);
    expect(checkConstraints(desc, answer('431')).repeats).toBe(false);
    // empty or endless answers meet nothing
    expect(checkConstraints(both, answer('')).all).toBe(false);
    expect(checkConstraints(both, [4, 3, 1]).order).toBe(false);
  });
});

describe('the data', () => {
  test('held-out constrained prompts: held-out digits, disjoint from training draws', () => {
    const held = heldOutConstrained(200, BOTH);
    expect(held.every((p) => sideOf(p) === 'held-out')).toBe(true);
    expect(held.every((p) => detokenize(p.tokens).startsWith('.'))).toBe(true);
    const rng = new Rng(3);
    const drawn = Array.from({ length: 2000 }, () => constrainedDemo(rng, SINGLE));
    expect(drawn.every((e) => sideOf(e.prompt) === 'training')).toBe(true);
    const heldDigits = new Set(held.map((p) => p.digits.join('')));
    expect(drawn.some((e) => heldDigits.has(e.prompt.digits.join('')))).toBe(false);
    // both single kinds appear, and each answer is its prompt's ideal
    const kinds = new Set(drawn.map((e) => detokenize(e.prompt.tokens)[0]));
    expect(kinds).toEqual(new Set(['^', '.']));
    for (const e of drawn.slice(0, 50))
      expect(e.response).toEqual([
        ...constrainedIdeal(e.prompt.digits, e.prompt.constraints),
        EOS,
      ]);
  });

  test('answer tokens and the token-budget batch', () => {
    const examples: Example[] = [
      { prompt: makePrompt(digits), response: answer('1134') }, // 5 tokens
      { prompt: makePrompt(digits), response: answer('1') }, // 2 tokens
    ];
    expect(answerTokens(examples)).toBe(7);
    let i = 0;
    const draw = () => examples[i++ % 2];
    // 5, 7, 12 ≥ 10: three examples, 12 tokens
    const batch = budgetBatch(new Rng(0), draw, 10);
    expect(batch).toHaveLength(3);
    expect(answerTokens(batch)).toBe(12);
    expect(() => budgetBatch(new Rng(0), draw, 0)).toThrow('budgetBatch: a budget of 0');
  });
});

for (const backend of BACKENDS_UNDER_TEST) {
  describe(`training to a token budget on ${backend}`, () => {
    onBackendWithoutLeaks(backend);
    let model: Gpt;
    beforeAll(() => {
      model = createGpt(GPT_CONFIG, new Rng(0));
    });
    afterAll(() => disposeGpt(model));

    test('the tokens trained on, the loss falling, no leak; held-out data refused', () => {
      const before = tf.memory().numTensors;
      const config = { steps: 20, tokens: 64, lr: 1e-2 };
      const draw = (rng: Rng) => constrainedDemo(rng, MULTI);
      const { losses, tokens } = trainOnBudget(model, config, draw, new Rng(1), silent);
      expect(losses).toHaveLength(20);
      expect(tokens).toBeGreaterThanOrEqual(20 * 64);
      expect(tokens).toBeLessThan(20 * (64 + 5));
      expect(losses.at(-1)!).toBeLessThan(losses[0]);
      const held = heldOutConstrained(1, BOTH)[0];
      const leak = () => ({ prompt: held, response: [EOS] });
      expect(() => trainOnBudget(model, config, leak, new Rng(1), silent)).toThrow(
        'trainOnBudget: ',
      );
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}
