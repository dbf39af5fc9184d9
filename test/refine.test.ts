// Unit tests of chapter 14's correction (src/refine/correct.ts), on both backends: the
// strong model agrees with its own greedy answers to the end, and with an answer changed
// at token k for exactly k tokens; a correction keeps what the model agrees with, and
// rewrites from the first token it does not.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { agreedLength, correct } from '../src/refine/correct.ts';
import { createGpt, disposeGpt, type Gpt } from '../src/runtime/model.ts';
import { Rng } from '../src/runtime/random.ts';
import { generate } from '../src/runtime/sample.ts';
import { GPT_CONFIG } from '../src/workbench/base.ts';
import { makePrompt, MAX_RESPONSE } from '../src/workbench/task.ts';
import { EOS } from '../src/workbench/vocab.ts';
import { BACKENDS_UNDER_TEST, onBackendWithoutLeaks } from './support/backends.ts';

const prompts = [
  [3, 1, 4, 1],
  [9, 2, 6, 5],
  [0, 0, 7, 3],
].map(makePrompt);

for (const backend of BACKENDS_UNDER_TEST) {
  describe(`the correction on ${backend}`, () => {
    onBackendWithoutLeaks(backend);
    let model: Gpt;
    let greedy: number[][];
    beforeAll(() => {
      model = createGpt(GPT_CONFIG, new Rng(3));
      const options = { maxNewTokens: MAX_RESPONSE, eos: EOS, rng: new Rng(0), temperature: 0 };
      greedy = generate(model, prompts.map((p) => p.tokens), options);
    });
    afterAll(() => disposeGpt(model));

    /** The greedy answer with token k replaced by one the model did not choose. */
    const changedAt = (y: number[], k: number) =>
      y.map((t, i) => (i === k ? (t + 1) % 10 : t));

    test('a model agrees with its own greedy answers to the end', () => {
      expect(agreedLength(model, prompts, greedy)).toEqual(greedy.map((y) => y.length));
    });

    test('an answer changed at token k is agreed with for exactly k tokens', () => {
      const ks = [0, 1, 2];
      const answers = greedy.map((y, i) => changedAt(y, ks[i]));
      expect(agreedLength(model, prompts, answers)).toEqual(ks);
    });

    test('a correction keeps what the model agrees with and rewrites from the first other token', () => {
      const answers = [greedy[0], changedAt(greedy[1], 1), changedAt(greedy[2], 2)];
      const fixed = correct(model, prompts, answers, new Rng(5));
      expect(fixed[0]).toEqual(greedy[0]);
      expect(fixed[1].slice(0, 1)).toEqual(greedy[1].slice(0, 1));
      expect(fixed[2].slice(0, 2)).toEqual(greedy[2].slice(0, 2));
      for (const y of fixed) expect(y.length).toBeLessThanOrEqual(MAX_RESPONSE);
      expect(correct(model, prompts, answers, new Rng(5))).toEqual(fixed);
    });

    test('refuses answers that do not match the prompts', () => {
      expect(() => correct(model, prompts, greedy.slice(1), new Rng(5))).toThrow(
        /one answer per prompt/,
      );
    });
  });
}
