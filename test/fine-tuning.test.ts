// Unit tests of chapter 15's fine-tuning tools (src/fine-tuning/) on hand-computed values:
// the schedule (warmup, cosine decay, the floor), the new domain and its split, epoch
// batches, the scheduled trainer (the rate it passes to Adam) and the per-example losses.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dataSet, increment, newDomainExample } from '../src/fine-tuning/domain.ts';
import { lrAt, lrCurve, schedule, warmupStepsOf } from '../src/fine-tuning/schedule.ts';
import { epochBatches, exampleLosses, trainScheduled } from '../src/fine-tuning/train.ts';
import { Adam } from '../src/runtime/adam.ts';
import { cloneGpt, createGpt, disposeGpt, type Gpt } from '../src/runtime/model.ts';
import { Rng } from '../src/runtime/random.ts';
import { trainStep } from '../src/runtime/train.ts';
import { nllLoss } from '../src/runtime/logprob.ts';
import { maskTensor, tokensTensor } from '../src/runtime/batch.ts';
import { GPT_CONFIG } from '../src/workbench/base.ts';
import { demonstration, type Example } from '../src/workbench/corpus.ts';
import { sideOf } from '../src/workbench/task.ts';
import { evalLoss, exampleBatch } from '../src/workbench/train.ts';
import { BOS, EOS } from '../src/workbench/vocab.ts';
import { BACKENDS_UNDER_TEST, onBackendWithoutLeaks } from './support/backends.ts';

const silent = { tick() {}, done() {} };

describe('the schedule', () => {
  // peak 1, 10 steps, warmup 2 (ceil(0.2 · 10)), floor 0.1:
  //   t = 0 → 0, t = 1 → 1/2, t = 2 → 1 (end of warmup, p = 0)
  //   t = 6 → p = 4/8 = ½: 0.1 + 0.9 · ½(1 + cos π/2) = 0.1 + 0.45 = 0.55
  //   t = 10 → p = 1: 0.1 + 0.9 · ½(1 − 1) = 0.1, the floor
  const s = schedule(1, 10, 0.2, 0.1);

  test('warms up linearly from zero and reaches the peak at the end of warmup', () => {
    expect(s.warmupSteps).toBe(2);
    expect(lrAt(s, 0)).toBe(0);
    expect(lrAt(s, 1)).toBeCloseTo(0.5, 12);
    expect(lrAt(s, 2)).toBeCloseTo(1, 12);
  });

  test('is halfway between the peak and the floor halfway through the decay', () => {
    expect(lrAt(s, 6)).toBeCloseTo(0.55, 12);
  });

  test('reaches the floor, and without one decays to zero', () => {
    expect(lrAt(s, 10)).toBeCloseTo(0.1, 12);
    expect(lrAt(schedule(3e-3, 10, 0.2, 0), 10)).toBeCloseTo(0, 12);
    expect(lrAt(schedule(3e-3, 10, 0.2, 0.1), 10)).toBeCloseTo(3e-4, 12);
  });

  test('never goes below the floor, and falls after warmup', () => {
    const curve = lrCurve(s);
    expect(curve).toHaveLength(10);
    for (let t = 2; t < 10; t++) expect(curve[t]).toBeGreaterThanOrEqual(0.1);
    for (let t = 3; t < 10; t++) expect(curve[t]).toBeLessThan(curve[t - 1]);
  });

  test('rounds warmup steps up, as transformers does', () => {
    expect(warmupStepsOf(0.01, 4)).toBe(1); // ceil(0.04)
    expect(warmupStepsOf(0.1, 60)).toBe(6);
    expect(warmupStepsOf(0.3, 60)).toBe(18);
    expect(warmupStepsOf(0, 60)).toBe(0);
  });

  test('with no warmup starts at the peak', () => {
    expect(lrAt(schedule(2, 10, 0, 0.5), 0)).toBe(2);
  });

  test('refuses bad settings in one line', () => {
    expect(() => schedule(0, 10, 0.1, 0.1)).toThrow(/not positive/);
    expect(() => schedule(1, 10, 1.5, 0.1)).toThrow(/warmup ratio 1.5/);
    expect(() => schedule(1, 10, 0.1, -1)).toThrow(/floor -1/);
    expect(() => schedule(1, 2.5, 0.1, 0.1)).toThrow(/2.5 steps/);
    expect(() => lrAt(s, 11)).toThrow(/step 11/);
  });
});

describe('the new domain', () => {
  test('increments every digit, 9 going round to 0', () => {
    expect(increment([3, 1, 4, 9])).toEqual([4, 2, 5, 0]);
  });

  test('writes ^dddd^ then the incremented digits and the end', () => {
    const e = newDomainExample(new Rng(3));
    expect(e.prompt.tokens).toEqual([BOS, ...e.prompt.digits, BOS]);
    expect(e.response).toEqual([...increment(e.prompt.digits), EOS]);
  });

  test('draws from its side of the split, and its held-out set shares no prompt', () => {
    const training = dataSet(2000, (r) => newDomainExample(r), new Rng(1));
    const held = dataSet(256, (r) => newDomainExample(r, 'held-out'), new Rng(2));
    expect(training.every((e) => sideOf(e.prompt) === 'training')).toBe(true);
    expect(held.every((e) => sideOf(e.prompt) === 'held-out')).toBe(true);
    const seen = new Set(training.map((e) => e.prompt.digits.join('')));
    expect(held.some((e) => seen.has(e.prompt.digits.join('')))).toBe(false);
  });
});

describe('epoch batches', () => {
  const data = dataSet(10, (r) => demonstration(r, 0), new Rng(4));

  test('cut each pass into whole batches, every example once per pass', () => {
    const batches = epochBatches(data, 3, 2, new Rng(5));
    expect(batches).toHaveLength(6); // floor(10 / 3) = 3 batches per pass, 2 passes
    expect(batches.every((b) => b.length === 3)).toBe(true);
    const firstPass = new Set(batches.slice(0, 3).flat());
    expect(firstPass.size).toBe(9); // 9 distinct examples; the tenth is left over
  });

  test('refuse a batch larger than the data', () => {
    expect(() => epochBatches(data, 11, 1, new Rng(5))).toThrow(/batch 11 > 10/);
  });
});

const TINY = { ...GPT_CONFIG, dModel: 8, nHeads: 2, nLayers: 1 };

for (const backend of BACKENDS_UNDER_TEST) {
  describe(`scheduled training and per-example losses (${backend})`, () => {
    onBackendWithoutLeaks(backend);
    let init: Gpt;
    const data = dataSet(8, (r) => demonstration(r, 0), new Rng(6));
    const batches = epochBatches(data, 4, 2, new Rng(7));

    beforeAll(() => {
      init = createGpt(TINY, new Rng(0));
    });
    afterAll(() => disposeGpt(init));

    test("passes the schedule's rate of each step to Adam", () => {
      const s = schedule(1e-2, batches.length, 0.5, 0.1);
      const scheduled = cloneGpt(init);
      const rates: number[] = [];
      trainScheduled(scheduled, batches, s, silent, (t) => rates.push(lrAt(s, t)));
      // by hand: the same steps, each at its rate
      const byHand = cloneGpt(init);
      const optimizer = new Adam(byHand.params, { lr: 1e-2, clipNorm: 1 });
      batches.forEach((examples, t) => {
        const b = exampleBatch(examples);
        const loss = () => nllLoss(byHand, tokensTensor(b), maskTensor(b));
        trainStep(optimizer, loss, rates[t]);
      });
      expect(rates[0]).toBe(0);
      expect(evalLoss(scheduled, data)).toBe(evalLoss(byHand, data));
      disposeGpt(scheduled);
      disposeGpt(byHand);
    });

    test('a zero rate moves nothing', () => {
      const model = cloneGpt(init);
      const before = evalLoss(model, data);
      const s = schedule(1, 1, 1, 0); // one step, all of it warmup: η(0) = 0
      trainScheduled(model, batches.slice(0, 1), s, silent);
      expect(evalLoss(model, data)).toBe(before);
      disposeGpt(model);
    });

    test('refuses held-out examples and a schedule of another length', () => {
      const model = cloneGpt(init);
      const held = [newDomainExample(new Rng(8), 'held-out')];
      expect(() => trainScheduled(model, [held], schedule(1, 1, 0, 0), silent)).toThrow(
        /held-out prompts in training data/,
      );
      expect(() => trainScheduled(model, batches, schedule(1, 3, 0, 0), silent)).toThrow(
        /4 batches for a schedule of 3 steps/,
      );
      disposeGpt(model);
    });

    test('per-example losses average to evalLoss when responses have one length', () => {
      const losses = exampleLosses(init, data);
      expect(losses).toHaveLength(8);
      const m = losses.reduce((a, b) => a + b, 0) / losses.length;
      expect(m).toBeCloseTo(evalLoss(init, data), 5);
    });

    test("each example's loss is its own mean over its response tokens", () => {
      // a short and a long response in one batch: each is averaged over its own tokens
      const short: Example = { ...data[0], response: [data[0].response[0], EOS] };
      const [alone] = exampleLosses(init, [short]);
      const [mixed] = exampleLosses(init, [short, data[1]]);
      expect(mixed).toBeCloseTo(alone, 5);
      expect(alone).toBeCloseTo(evalLoss(init, [short]), 5);
    });
  });
}
