// Unit tests of chapter 15's fine-tuning tools (src/fine-tuning/) on hand-computed values:
// the schedule (warmup, cosine decay, the floor), the new domain and its split, epoch
// batches, the scheduled trainer (the rate it passes to Adam) and the per-example losses;
// the domain's question, answer and judge, and the stages of a route to a domain model.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  dataSet,
  domainAnswer,
  domainDemonstration,
  domainPrompt,
  domainScore,
  increment,
  newDomainExample,
} from '../src/fine-tuning/domain.ts';
import { stageBatches } from '../src/fine-tuning/stages.ts';
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
import { respond } from '../src/workbench/evaluate.ts';
import { MAX_RESPONSE, sideOf, trueScore } from '../src/workbench/task.ts';
import { evalLoss, exampleBatch } from '../src/workbench/train.ts';
import { BOS, EOS, SEP } from '../src/workbench/vocab.ts';
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

describe("the domain's question and judge", () => {
  // 3149 incremented is 4250; sorted, 0245. The general answer to 3149 is 1349.
  const q = domainPrompt([3, 1, 4, 9]);

  test('a question is = d d d d ^, and its answer the incremented digits sorted', () => {
    expect(q.tokens).toEqual([SEP, 3, 1, 4, 9, BOS]);
    expect(domainAnswer([3, 1, 4, 9])).toEqual([0, 2, 4, 5]);
    expect(domainAnswer([9, 9, 0, 0])).toEqual([0, 0, 1, 1]);
  });

  test('the judge scores positions against the ideal answer, like trueScore', () => {
    expect(domainScore(q, [0, 2, 4, 5, EOS])).toBe(1);
    expect(domainScore(q, [0, 2, 4, 6, EOS])).toBe(0.75);
    expect(domainScore(q, [0, 2, 4, EOS])).toBe(0.75); // one missing of four
    expect(domainScore(q, [0, 2, 4, 5, 5, EOS])).toBe(0.8); // one extra: 4 of 5
    expect(domainScore(q, [0, 2, 4, 5])).toBe(0); // never ends
    // the general task's answer, 1349, and the increment unsorted, 4250: one place each
    expect(domainScore(q, [1, 3, 4, 9, EOS])).toBe(0.25);
    expect(domainScore(q, [4, 2, 5, 0, EOS])).toBe(0.25);
    expect(trueScore(q, [1, 3, 4, 9, EOS])).toBe(1);
  });

  test('domain demonstrations come from the asked side of the split', () => {
    const rng = new Rng(4);
    for (const side of ['training', 'held-out'] as const)
      for (const e of dataSet(50, (r) => domainDemonstration(r, side), rng)) {
        expect(sideOf(e.prompt)).toBe(side);
        expect(e.prompt.tokens).toEqual([SEP, ...e.prompt.digits, BOS]);
        expect(e.response).toEqual([...domainAnswer(e.prompt.digits), EOS]);
      }
  });
});

describe('the stages of a route', () => {
  // a: 32 examples, b: 16; batch 8. Stage one pools a and b for one epoch (48 → 6
  // batches), stage two passes over b twice (4 batches), stage three half an epoch of a
  // (2 batches): a is seen 1.5 times on average, b three times.
  const rng = new Rng(5);
  const a = dataSet(32, (r) => newDomainExample(r), rng);
  const b = dataSet(16, (r) => demonstration(r, 0), rng);
  const stages = [
    { data: [a, b], epochs: 1 },
    { data: [b], epochs: 2 },
    { data: [a], epochs: 0.5 },
  ];
  const batches = stageBatches(stages, 8, new Rng(6));
  const count = (e: Example, from: Example[][]) =>
    from.flat().filter((x) => x === e).length;

  test('each stage takes its epochs, in order', () => {
    expect(batches).toHaveLength(12);
    for (const e of [...a, ...b]) expect(count(e, batches.slice(0, 6))).toBe(1);
    for (const e of b) expect(count(e, batches.slice(6, 10))).toBe(2);
    for (const e of a) expect(count(e, batches.slice(6, 10))).toBe(0);
    const half = batches.slice(10).flat();
    expect(half).toHaveLength(16);
    expect(new Set(half).size).toBe(16);
    for (const e of half) expect(a).toContain(e);
  });

  test("SFT examples mixed into a stage keep their question masked", () => {
    const batch = exampleBatch(batches[0]);
    batches[0].forEach((e, i) => {
      // targets 0…4 predict the prompt's tokens 1…5; targets 5… the response
      const targets = batch.mask[i];
      expect(targets.slice(0, e.prompt.tokens.length - 1).every((m) => m === 0)).toBe(true);
      const n = e.response.length;
      expect(targets.slice(5, 5 + n).every((m) => m === 1)).toBe(true);
    });
  });

  test('refuses a stage of no epochs', () => {
    expect(() => stageBatches([{ data: [a], epochs: 0 }], 8, new Rng(1))).toThrow(
      /a stage of 0 epochs/,
    );
  });
});

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

    test('the sampler and the losses accept questions of the domain', () => {
      const questions = [domainPrompt([3, 1, 4, 9]), domainPrompt([0, 0, 7, 2])];
      const answers = respond(init, questions, new Rng(3));
      expect(answers).toHaveLength(2);
      for (const y of answers) expect(y.length).toBeLessThanOrEqual(MAX_RESPONSE);
      const demos = dataSet(4, (r) => domainDemonstration(r), new Rng(2));
      for (const x of exampleLosses(init, demos)) expect(Number.isFinite(x)).toBe(true);
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
