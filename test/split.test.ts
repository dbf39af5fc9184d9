// The book's one split of the prompt space (chapter 00): held-out prompts are never trained on.
import { describe, expect, test } from 'vitest';
import { createGpt, disposeGpt } from '../src/runtime/model.ts';
import { Rng } from '../src/runtime/random.ts';
import { preferencePairs } from '../src/reward/preferences.ts';
import { GPT_CONFIG } from '../src/workbench/base.ts';
import { demonstration, pretrainExample } from '../src/workbench/corpus.ts';
import { evalPrompts } from '../src/workbench/evaluate.ts';
import { trainingPrompts } from '../src/workbench/rollout.ts';
import {
  assertTrainingSide,
  HELD_OUT_PROMPTS,
  heldOutPrompts,
  makePrompt,
  PROMPT_SPACE,
  promptDigits,
  promptIndex,
  randomPrompt,
  sideOf,
  type Prompt,
} from '../src/workbench/task.ts';
import { onBackendWithoutLeaks } from './support/backends.ts';

const all = Array.from({ length: PROMPT_SPACE }, (_, i) => makePrompt(promptDigits(i)));
const sides = (prompts: Prompt[]) => new Set(prompts.map(sideOf));

describe('the split of the prompt space', () => {
  test('numbers every prompt once: 3141 is 3 1 4 1', () => {
    expect(promptDigits(3141)).toEqual([3, 1, 4, 1]);
    expect(promptDigits(7)).toEqual([0, 0, 0, 7]);
    expect(all.every((p, i) => promptIndex(p) === i)).toBe(true);
  });

  test('has two disjoint sides that cover the space', () => {
    const heldOut = all.filter((p) => sideOf(p) === 'held-out');
    expect(heldOut).toHaveLength(HELD_OUT_PROMPTS);
    expect(all.filter((p) => sideOf(p) === 'training')).toHaveLength(PROMPT_SPACE - HELD_OUT_PROMPTS);
    const listed = heldOutPrompts(HELD_OUT_PROMPTS).map(promptIndex);
    expect(new Set(listed).size).toBe(HELD_OUT_PROMPTS);
    expect(new Set(listed)).toEqual(new Set(heldOut.map(promptIndex)));
    expect(() => heldOutPrompts(HELD_OUT_PROMPTS + 1)).toThrow('2001 asked, 2000 held out');
  });

  test('the evaluation prompts are 512 distinct held-out prompts, the same every time', () => {
    const prompts = evalPrompts();
    expect(prompts).toHaveLength(512);
    expect(new Set(prompts.map(promptIndex)).size).toBe(512);
    expect(sides(prompts)).toEqual(new Set(['held-out']));
    expect(evalPrompts().map(promptIndex)).toEqual(prompts.map(promptIndex));
  });

  test('every generator of training data stays on the training side, and draws all of it', () => {
    const rng = new Rng(1);
    const drawn = [
      ...Array.from({ length: 30000 }, () => randomPrompt(rng)),
      ...trainingPrompts(rng, 30000),
      ...Array.from({ length: 30000 }, () => pretrainExample(rng).prompt),
      ...Array.from({ length: 30000 }, () => demonstration(rng, 0.5).prompt),
    ];
    expect(sides(drawn)).toEqual(new Set(['training']));
    expect(new Set(drawn.map(promptIndex)).size).toBe(PROMPT_SPACE - HELD_OUT_PROMPTS);
  });

  test('held-out text and prompts come from the held-out side', () => {
    const rng = new Rng(2);
    const drawn = [
      ...Array.from({ length: 5000 }, () => randomPrompt(rng, 'held-out')),
      ...Array.from({ length: 500 }, () => pretrainExample(rng, 'held-out').prompt),
      ...Array.from({ length: 500 }, () => demonstration(rng, 0.5, 'held-out').prompt),
    ];
    expect(sides(drawn)).toEqual(new Set(['held-out']));
  });

  test('a trainer refuses held-out prompts, naming how many and which', () => {
    const [held] = heldOutPrompts(1);
    expect(() => assertTrainingSide(trainingPrompts(new Rng(3), 64), 'trainLm')).not.toThrow();
    expect(() => assertTrainingSide([...trainingPrompts(new Rng(3), 4), held!], 'trainLm')).toThrow(
      `trainLm: 1 held-out prompts in training data (${held!.digits.join('')}, …)`,
    );
  });
});

describe('preference pairs on each side', () => {
  onBackendWithoutLeaks('wasm');
  test('training pairs from the training side, held-out pairs from the held-out side', () => {
    const policy = createGpt(GPT_CONFIG, new Rng(4)); // untrained: its answers differ, so pairs are plenty
    const rng = new Rng(5);
    const training = preferencePairs(policy, 64, rng);
    const heldOut = preferencePairs(policy, 64, rng, 'held-out');
    disposeGpt(policy);
    expect(sides(training.map((p) => p.prompt))).toEqual(new Set(['training']));
    expect(sides(heldOut.map((p) => p.prompt))).toEqual(new Set(['held-out']));
  });
});
