import { describe, expect, it } from 'vitest';
import {
  checkClaim,
  findNumbers,
  lookup,
  matchOutputs,
  parseClaim,
  readChecks,
  readNumber,
  type Claim,
  type OutputBlock,
} from '../scripts/claims/index.ts';

const file = 'chapters/01-rl-basics.md';

/** The claim of a one-claim paragraph. */
function claimOf(code: string): Claim {
  const checks = readChecks(file, `Text \`${code}\` text.\n`);
  expect(checks.errors).toEqual([]);
  expect(checks.claims).toHaveLength(1);
  return checks.claims[0]!;
}

describe('parsing claims', () => {
  it.each([
    ['0.93 @qlearning.successRate', 0.93, 'qlearning.successRate', 0.005],
    ['-1.5 @a.b', -1.5, 'a.b', 0.05],
    ['37 @steps', 37, 'steps', 0.5],
    ['1e-3 @lr', 1e-3, 'lr', 5e-4],
    ['1.5e-3 @lr', 1.5e-3, 'lr', 5e-5],
    ['93% @x', 0.93, 'x', 0.005],
    ['93.5% @x', 0.935, 'x', 0.0005],
    ['0.930 @x', 0.93, 'x', 0.0005],
    ['0.93 @a.b[2]', 0.93, 'a.b[2]', 0.005],
    ['0.93 @a.b.2', 0.93, 'a.b.2', 0.005],
    ['0.93 @x ±0.02', 0.93, 'x', 0.02],
    ['93% @x ±2%', 0.93, 'x', 0.02],
    ['93% @x ±2', 0.93, 'x', 0.02],
    ['0.93 @x ±2%', 0.93, 'x', 0.02],
  ])('`%s`', (code, value, path, tolerance) => {
    const claim = claimOf(code);
    expect(claim.value).toBeCloseTo(value, 12);
    expect(claim.path).toBe(path);
    expect(claim.tolerance).toBeCloseTo(tolerance, 12);
    expect(claim.raw).toBe(code);
  });

  it('records the position of the inline code', () => {
    const checks = readChecks(file, '# T\n\nThe rate is `0.93 @q.rate` here.\n');
    expect(checks.claims[0]).toMatchObject({ file, line: 3, column: 13 });
  });

  it('leaves other inline code alone', () => {
    for (const code of ['npm i foo@1.2', '@decorator', '@05-dpo:dpo.kl', 'a@b.org', 'x = a @ b', '0.93', 'a = 0.5']) {
      expect(parseClaim(code)).toEqual({ kind: 'code' });
    }
  });

  it('reports malformed claims', () => {
    const checks = readChecks(file, 'A `0.93 @q..rate` and `0.9.3 @q` and `0.9 @q ±x` and `0.9 @ q`.\n');
    expect(checks.claims).toEqual([]);
    expect(checks.errors).toHaveLength(4);
    expect(checks.errors[0]).toMatch(/^chapters\/01-rl-basics\.md:1:3: malformed claim `0\.93 @q\.\.rate`: q\.\.rate is not a path/);
    expect(checks.errors[1]).toContain('0.9.3 is not a number');
    expect(checks.errors[2]).toContain('±x is not a tolerance');
    expect(checks.errors[3]).toContain('expected `<number>[%] @[<chapter>:]<path>');
  });

  it('reads numbers as written', () => {
    expect(readNumber('37')).toEqual({ value: 37, unit: 1, percent: false });
    expect(readNumber('93%')).toEqual({ value: 0.93, unit: 0.01, percent: true });
    expect(readNumber('2.50e2')).toEqual({ value: 250, unit: 1, percent: false });
    expect(readNumber('abc')).toBeUndefined();
  });
});

describe('lookup', () => {
  const results = { qlearning: { successRate: 0.91, curve: [0.1, 0.2, 0.3] }, label: 'x' };

  it('follows dotted and indexed paths', () => {
    expect(lookup(results, 'qlearning.successRate')).toBe(0.91);
    expect(lookup(results, 'qlearning.curve[2]')).toBe(0.3);
    expect(lookup(results, 'qlearning.curve.1')).toBe(0.2);
  });

  it('names the missing prefix and what exists', () => {
    expect(() => lookup(results, 'qlearning.rate')).toThrow(
      'path qlearning.rate not in results (qlearning has: successRate, curve)',
    );
    expect(() => lookup(results, 'sarsa.rate')).toThrow('path sarsa.rate not in results (results has: qlearning, label)');
    expect(() => lookup(results, 'qlearning.curve[5]')).toThrow('(qlearning.curve has 3 items)');
    expect(() => lookup(results, 'label.x')).toThrow('(label is "x", not an object)');
    expect(() => lookup(results, 'toString')).toThrow('not in results');
  });
});

describe('checkClaim', () => {
  const results = { qlearning: { successRate: 0.9123, label: 'abc' }, rate: 0.934 };

  it('holds within the tolerance', () => {
    expect(checkClaim(claimOf('0.93 @rate'), results)).toBeUndefined();
    expect(checkClaim(claimOf('93% @rate'), results)).toBeUndefined();
    expect(checkClaim(claimOf('0.91 @qlearning.successRate ±0.01'), results)).toBeUndefined();
    expect(checkClaim(claimOf('0.935 @x'), { x: 0.935 })).toBeUndefined();
    expect(checkClaim(claimOf('0.93 @x'), { x: 0.935 })).toBeUndefined(); // rounding boundary
  });

  it('names the claim, the tolerance and the value when it fails', () => {
    expect(checkClaim(claimOf('0.93 @qlearning.successRate'), results)).toBe(
      'chapters/01-rl-basics.md:1: claims 0.93 for qlearning.successRate (±0.005), the code gives 0.9123',
    );
    expect(checkClaim(claimOf('95% @rate'), results)).toBe(
      'chapters/01-rl-basics.md:1: claims 95% for rate (±0.005), the code gives 0.934 (93.4%)',
    );
  });

  it('reports a missing path', () => {
    expect(checkClaim(claimOf('0.93 @qlearning.rate'), results)).toBe(
      'chapters/01-rl-basics.md:1: path qlearning.rate not in results (qlearning has: successRate, label)',
    );
  });

  it('reports a value that is not a number', () => {
    expect(checkClaim(claimOf('0.93 @qlearning.label'), results)).toBe(
      'chapters/01-rl-basics.md:1: claims 0.93 for qlearning.label, but the value is not a number (it is "abc")',
    );
    expect(checkClaim(claimOf('0.93 @x'), { x: Number.NaN })).toContain('not a number (it is number NaN)');
  });
});

describe('matchOutputs', () => {
  const block = (line: number, lines: string[], tolerance?: number): OutputBlock =>
    tolerance === undefined ? { file, line, lines } : { file, line, lines, tolerance };

  it('reads output blocks and their tolerance', () => {
    const checks = readChecks(file, '# T\n\n```text output tol=0.01\nloss 0.5\n```\n\n```text illustration\nnot output\n```\n');
    expect(checks.outputs).toEqual([{ file, line: 4, lines: ['loss 0.5'], tolerance: 0.01 }]);
  });

  it('matches a contiguous run of lines, with spacing ignored', () => {
    const stdout = ['backend: cpu', 'episode  1  return 0.50', 'episode 2 return 0.75', 'done'];
    expect(matchOutputs([block(10, ['episode 1 return 0.50', 'episode 2 return 0.75'])], stdout)).toEqual([]);
  });

  it('allows one unit in the last digit shown, or the block tolerance', () => {
    expect(matchOutputs([block(1, ['loss 0.50 (93%) 1e-3, n=37'])], ['loss 0.51 (94%) 2e-3, n=38'])).toEqual([]);
    expect(matchOutputs([block(1, ['loss 0.50'])], ['loss 0.52'])).toHaveLength(1);
    expect(matchOutputs([block(1, ['loss 0.50'], 0.05)], ['loss 0.54'])).toEqual([]);
    expect(matchOutputs([block(1, ['loss 0.50'])], ['loss 0.5012'])).toEqual([]);
    expect(matchOutputs([block(1, ['delta +0.5'])], ['delta -0.5'])).toHaveLength(1);
    expect(matchOutputs([block(1, ['loss 0.50,'])], ['loss 0.50;'])).toHaveLength(1);
  });

  it('lets … match any one token', () => {
    expect(matchOutputs([block(1, ['took … ms'])], ['took 1234 ms'])).toEqual([]);
    expect(matchOutputs([block(1, ['took …'])], ['took 1234 ms'])).toHaveLength(1);
  });

  it('matches blocks in order, without overlap', () => {
    const stdout = ['a 1', 'b 2', 'c 3'];
    expect(matchOutputs([block(1, ['a 1']), block(5, ['c 3'])], stdout)).toEqual([]);
    expect(matchOutputs([block(1, ['c 3']), block(5, ['a 1'])], stdout)).toHaveLength(1);
    expect(matchOutputs([block(1, ['b 2']), block(5, ['b 2'])], stdout)).toHaveLength(1);
  });

  it('names the block, the first mismatching line and both texts', () => {
    const stdout = ['header', 'step 1 loss 0.50', 'step 2 loss 0.40', 'end'];
    expect(matchOutputs([block(20, ['step 1 loss 0.50', 'step 2 loss 0.30'])], stdout)).toEqual([
      'chapters/01-rl-basics.md:20: output block does not match the program\'s output: chapters/01-rl-basics.md:21 expects "step 2 loss 0.30", output line 3 is "step 2 loss 0.40"',
    ]);
    expect(matchOutputs([block(20, ['nowhere'])], stdout)[0]).toContain(
      'chapters/01-rl-basics.md:20 expects "nowhere" (no output line from here on matches it), output line 1 is "header"',
    );
    expect(matchOutputs([block(20, ['end', 'more'])], stdout)[0]).toContain('expects "more", the output has ended');
  });
});

describe('stray numbers', () => {
  it('finds decimals, percentages and scientific notation', () => {
    expect(findNumbers('rate 0.93, 12% and 12.5% of 1e-3 or 2.5e+4; -0.5; 1.5x').map((m) => m.text)).toEqual([
      '0.93',
      '12%',
      '12.5%',
      '1e-3',
      '2.5e+4',
      '0.5',
      '1.5',
    ]);
  });

  it('ignores integers, versions and numbers glued to words', () => {
    expect(findNumbers('37 steps, v1.2, node 20, 1.2.3, GPT4.5, x2.0')).toEqual([]);
  });

  it('flags numbers in prose, with their place', () => {
    const source = [
      '---', //                                            1
      'version: 1.5', //                                   2
      '---', //                                            3
      '', //                                               4
      '# Results at 0.5', //                               5
      '', //                                               6
      'It reaches 0.93 and `0.93 @rate`.', //               7
      '', //                                               8
      '- a list item with 12%', //                         9
      '', //                                               10
      '| a | b |', //                                      11
      '| - | - |', //                                      12
      '| 2.5 | x |', //                                    13
      '', //                                               14
      '> quoted 1e-4', //                                  15
      '', //                                               16
      'A *long', //                                        17
      'line with 3.25* end.', //                           18
    ].join('\n');
    const { stray, claims } = readChecks(file, source);
    expect(claims).toHaveLength(1);
    expect(stray).toEqual([
      { file, line: 5, column: 14, text: '0.5' },
      { file, line: 7, column: 12, text: '0.93' },
      { file, line: 9, column: 20, text: '12%' },
      { file, line: 13, column: 3, text: '2.5' },
      { file, line: 15, column: 10, text: '1e-4' },
      { file, line: 18, column: 11, text: '3.25' },
    ]);
  });

  it('ignores code, math, HTML, front matter and URLs', () => {
    const source = [
      '---',
      'x: 0.5',
      '---',
      '',
      'Inline `f(0.93)` code, math $\\gamma = 0.9$, a [link](https://x.org/v0.5) and <https://y.org/1.5>, www.z.org/2.5.',
      '',
      '$$',
      'L = 0.5 \\cdot x',
      '$$',
      '',
      '<div>0.75</div>',
      '',
      '```sh',
      'echo 0.25',
      '```',
      '',
      '    indented 0.125',
    ].join('\n');
    expect(readChecks(file, source).stray).toEqual([]);
  });
});

describe('output blocks for one backend', () => {
  it('backend=NAME is read, other attributes are errors', () => {
    const checks = readChecks('chapters/09-x.md', '# X\n\n```text output backend=wasm tol=0.1\na 1\n```\n\n```text output colour=red\nb\n```\n');
    expect(checks.outputs[0]).toMatchObject({ backend: 'wasm', tolerance: 0.1, lines: ['a 1'] });
    expect(checks.errors).toEqual([expect.stringContaining('chapters/09-x.md:7: unknown or malformed `colour`')]);
  });
});

describe('numbers set as inline code', () => {
  it('are stray unless they are claims; tokens and code are not', () => {
    const checks = readChecks('chapters/09-x.md', '# X\n\nscores `1.76` and `-0.50`, `97%`, but `1134$`, `3e-5 @lr`, `f(0.5)` and `0.9 @a`.\n');
    expect(checks.stray.map((s) => s.text)).toEqual(['1.76', '-0.50', '97%']);
  });
});

describe('claims about another chapter', () => {
  it('reads the chapter before the colon, and the path after it', () => {
    const claim = claimOf('0.87 @04-on-off-policy:ppo.finalScore ±0.03');
    expect(claim).toMatchObject({ chapter: '04-on-off-policy', path: 'ppo.finalScore', value: 0.87, tolerance: 0.03 });
  });

  it('has no chapter when the path names none', () => {
    expect(claimOf('0.87 @ppo.finalScore').chapter).toBeUndefined();
  });

  it.each(['0.87 @4-ppo:x', '0.87 @04-PPO:x', '0.87 @04-ppo:', '0.87 @:x'])('rejects `%s`', (code) => {
    expect(parseClaim(code).kind).toBe('error');
  });
});

describe('exact on the record’s backend', () => {
  it('a stated number must round to its digits there; its ± serves other backends', () => {
    const claim = claimOf('1.5 @kl ±0.2');
    expect(claim).toMatchObject({ rounding: 0.05, tolerance: 0.2 });
    expect(checkClaim(claim, { kl: 1.64 })).toBeUndefined();
    expect(checkClaim(claim, { kl: 1.64 }, { exact: true })).toBe(
      'chapters/01-rl-basics.md:1: claims 1.5 for kl (±0.05), the code gives 1.64',
    );
    expect(checkClaim(claimOf('1.6 @kl ±0.2'), { kl: 1.64 }, { exact: true })).toBeUndefined();
  });

  it('a claim about another chapter’s record is always exact', () => {
    const cited = () => ({ kl: 1.64 });
    expect(checkClaim(claimOf('1.5 @05-dpo:kl ±0.2'), {}, { cited })).toContain('claims 1.5 for kl (±0.05)');
    expect(checkClaim(claimOf('1.6 @05-dpo:kl ±0.2'), {}, { cited })).toBeUndefined();
  });

  it('output blocks show the printed digits there; tol= and one unit serve other backends', () => {
    const block: OutputBlock = { file, line: 1, lines: ['kl 1.50'], tolerance: 0.2 };
    expect(matchOutputs([block], ['kl 1.64'])).toEqual([]);
    expect(matchOutputs([block], ['kl 1.64'], { exact: true })).toHaveLength(1);
    expect(matchOutputs([{ file, line: 1, lines: ['kl 1.50'] }], ['kl 1.51'], { exact: true })).toHaveLength(1);
    expect(matchOutputs([{ file, line: 1, lines: ['kl 1.50'] }], ['kl 1.5012'], { exact: true })).toEqual([]);
  });
});

describe('comparisons', () => {
  it.each([
    ['0.95 @a > 0.92 @b', '>', { number: '0.92', path: 'b', value: 0.92 }, 0],
    ['0.95 @a > @b', '>', { path: 'b' }, 0],
    ['1.5 @kl < 2', '<', { constant: 2, number: '2' }, 0],
    ['64% @share > 50%', '>', { constant: 0.5, number: '50%' }, 0],
    ['95% @a ±3 > 92% @b ±3 margin 2', '>', { number: '92%', tolerance: 0.03 }, 0.02],
    ['0.31 @ipo > @04-on-off-policy:ppo.perNat margin @noise.se', '>', { chapter: '04-on-off-policy', path: 'ppo.perNat' }, { path: 'noise.se' }],
    ['0.50 @a ≈ 0.52 @b margin 0.05', '≈', { number: '0.52' }, 0.05],
  ])('`%s`', (code, op, other, margin) => {
    const claim = claimOf(code);
    expect(claim.compare).toMatchObject({ op, other, margin });
  });

  it.each([
    ['0.50 @a ≈ @b', '≈ needs a margin'],
    ['0.95 @a >', '> needs something to compare with'],
    ['0.95 @a > @b margin', 'margin needs a number or a result'],
    ['0.95 @a > @b margin -1', 'margin -1 is not a margin'],
    ['0.95 @a > @b and more', 'and more is not understood'],
    ['0.95 @a >> @b', 'expected `<number>'],
    ['0.95 @a > x @b', 'x is not a number'],
    ['0.95 @a > 0.9 @b..c', 'b..c is not a path'],
  ])('rejects `%s`', (code, message) => {
    const parsed = parseClaim(code);
    expect(parsed.kind).toBe('error');
    expect(parsed.kind === 'error' && parsed.message).toContain(message);
  });

  const results = { a: 0.953, b: 0.921, c: 0.951, kl: 1.54, noise: { se: 0.01 } };

  it('checks the sign of the difference and every number shown', () => {
    expect(checkClaim(claimOf('0.95 @a > 0.92 @b'), results, { exact: true })).toBeUndefined();
    expect(checkClaim(claimOf('0.92 @b < 0.95 @a'), results, { exact: true })).toBeUndefined();
    expect(checkClaim(claimOf('0.92 @b > @a'), results)).toBe(
      'chapters/01-rl-basics.md:1: claims b > a, but 0.921 − 0.953 = -0.032 is not more than 0',
    );
    expect(checkClaim(claimOf('0.95 @a > 0.93 @b'), results, { exact: true })).toContain('claims 0.93 for b');
    expect(checkClaim(claimOf('1.5 @kl ±0.1 < 2'), results)).toBeUndefined();
    expect(checkClaim(claimOf('1.5 @kl ±0.1 < 1'), results)).toContain('is not less than −0');
  });

  it('requires the margin, as a number in the stated unit or as a result', () => {
    expect(checkClaim(claimOf('0.95 @a > @c margin 0.01'), results)).toContain(
      'claims a > c (margin 0.01), but 0.953 − 0.951 = 0.002 is not more than 0.01',
    );
    expect(checkClaim(claimOf('95% @a > @b margin 3'), results)).toBeUndefined();
    expect(checkClaim(claimOf('95% @a > @b margin 4'), results)).toContain('is not more than 0.04');
    expect(checkClaim(claimOf('0.95 @a > @b margin @noise.se'), results)).toBeUndefined();
    expect(checkClaim(claimOf('0.95 @a ≈ @c margin @noise.se'), results)).toBeUndefined();
    expect(checkClaim(claimOf('0.95 @a ≈ @b margin @noise.se'), results)).toContain('is not within ±0.01');
  });

  it('reads the other side from another chapter’s record', () => {
    const cited = (chapter: string) => (chapter === '04-on-off-policy' ? { ppo: { kl: 2.5 } } : {});
    expect(checkClaim(claimOf('1.5 @kl ±0.1 < @04-on-off-policy:ppo.kl'), results, { cited })).toBeUndefined();
    expect(checkClaim(claimOf('1.5 @kl ±0.1 < 2.4 @04-on-off-policy:ppo.kl ±1'), results, { cited })).toContain(
      'claims 2.4 for ppo.kl (±0.05), the code gives 2.5 (in the recorded results of 04-on-off-policy)',
    );
  });
});

describe('text blocks', () => {
  it('are output or say they are an illustration', () => {
    const checks = readChecks('chapters/09-x.md', '# X\n\n```text\na 1\n```\n\n```text illustration\nb 2\n```\n');
    expect(checks.outputs).toEqual([]);
    expect(checks.errors).toEqual([expect.stringContaining('chapters/09-x.md:3: a `text` block is program output')]);
  });
});

describe('inline code with the shape of a claim', () => {
  it.each([
    ['x @y', 'x is not a number: a claim begins with the number it states'],
    ['score @dpo.kl', 'score is not a number'],
    ['margin @noise.twoSe', 'expected `<number>[%]'],
    ['93 % @x', '93 %: write 93% (no space before %)'],
    ['~0.93 @x', 'without ~ or ≈'],
    ['≈0.93 @x', 'without ~ or ≈'],
    ['≈ 0.93 @x', '≈ before the number'],
    ['about 0.93 @x', 'without ~ or ≈'],
    ['"0.93" @x', 'write it without quotes'],
    ["'0.93' @x", 'write it without quotes'],
    ['.93 @x', 'write 0.93'],
    ['-.5 @x', 'write -0.5'],
    ['0,93 @x', 'write a decimal point (0.93)'],
    ['0.93@x', 'write a space before @'],
    ['93%@x', 'write a space before @'],
    ['0.93 ±0.02', 'names no result'],
    ['0.93 @x >= @y', '>= is not a comparison'],
  ])('`%s` is an error at chapter:line, not plain code', (code, message) => {
    const checks = readChecks(file, `# T\n\nWe get \`${code}\` here.\n`);
    expect(checks.claims).toEqual([]);
    expect(checks.errors).toHaveLength(1);
    expect(checks.errors[0]).toMatch(/^chapters\/01-rl-basics\.md:3:8: malformed claim /);
    expect(checks.errors[0]).toContain(message);
  });

  it('is found wherever inline code is: tables, headings, lists, links, quotes', () => {
    const source = ['# At `x @y`', '', '| a |', '| - |', '| `~1 @a` |', '', '- `.5 @b`', '', '> [`"1" @c`](#x)', ''];
    const checks = readChecks(file, source.join('\n'));
    expect(checks.errors.map((e) => e.split(': ')[0])).toEqual([
      `${file}:1:6`,
      `${file}:5:3`,
      `${file}:7:3`,
      `${file}:9:4`,
    ]);
  });
});

describe('stray numbers in every form a writer might use', () => {
  it.each([
    ['a leading-dot decimal', 'falls to .93 then', '.93'],
    ['a negative leading-dot decimal', 'to -.5 then', '.5'],
    ['a decimal comma', 'rate 0,93 here', '0,93'],
    ['thousands and decimals', 'took 1,234.5 s', '1,234.5'],
    ['a spaced percentage', 'wins 93 % of', '93 %'],
    ['a no-break-spaced percentage', 'wins 93\u00a0% of', '93\u00a0%'],
    ['percent in words', 'wins 93 percent of', '93 percent'],
    ['per cent in words', 'wins 93 per cent of', '93 per cent'],
    ['per mille', 'loses 5‰ of', '5‰'],
    ['times ten to a power', 'a rate of 3 × 10^-4 here', '3 × 10^-4'],
    ['superscript powers', 'a rate of 3·10⁻⁴ here', '3·10⁻⁴'],
    ['a bare negative power', 'about 10^-3 of', '10^-3'],
    ['a bare superscript power', 'about 10⁻³ of', '10⁻³'],
    ['a fraction character', 'about ½ of', '½'],
    ['full-width digits', '得分 ０.９３ 分', '０.９３'],
    ['a full-width percentage', '胜率 ９３％', '９３％'],
    ['a decimal after Chinese text', '约0.93', '0.93'],
    ['an upper-case exponent', 'lr 1E-3', '1E-3'],
    ['a second number after a comma', 'pairs (0.5,0.93)', '0.93'],
  ])('%s', (_name, text, number) => {
    expect(findNumbers(text).map((m) => m.text)).toContain(number);
  });

  it('still leaves counts, versions and names alone', () => {
    expect(findNumbers('26,496 weights, 10^6 steps, 1,2,3, v1.2, 1.2.3, GPT-4o, sentence 5. Next, ...5')).toEqual([]);
  });

  it('flags a leading-dot decimal set as inline code', () => {
    expect(readChecks(file, 'A `.93` here.\n').stray.map((s) => s.text)).toEqual(['.93']);
  });
});

describe('output blocks the checker would not read', () => {
  const errorsOf = (block: string) => readChecks('chapters/09-x.md', `# X\n\n${block}\n`).errors;

  it.each([
    ['output misspelt', '```text ouput\na 1\n```', '`ouput` in a `text` block'],
    ['output plural', '```text outputs\na 1\n```', '`outputs` in a `text` block'],
    ['output in capitals', '```text Output\na 1\n```', '`Output` in a `text` block'],
    ['another language', '```txt output\na 1\n```', 'its language is `txt`, not `text`'],
    ['text in capitals', '```Text output\na 1\n```', 'its language is `Text`, not `text`'],
    ['a shell session', '```console output\na 1\n```', 'its language is `console`'],
    ['output as the language', '```output\na 1\n```', 'its language is `output`'],
    ['an indented fence', '    ```text output\n    a 1\n    ```', 'not read as a fenced block'],
    ['a tilde fence, misspelt', '~~~text outptu\na 1\n~~~', '`outptu` in a `text` block'],
    ['an unknown attribute', '```text output backnd=cpu\na 1\n```', 'unknown or malformed `backnd`'],
    ['a malformed tolerance', '```text output tol=x\na 1\n```', 'unknown or malformed `tol`'],
    ['neither output nor illustration', '```text\na 1\n```', 'is program output'],
  ])('%s is an error at its line', (_name, block, message) => {
    const errors = errorsOf(block);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^chapters\/09-x\.md:3: /);
    expect(errors[0]).toContain(message);
  });

  it('reads output blocks in quotes and tilde fences, and leaves other blocks alone', () => {
    const checks = readChecks('chapters/09-x.md', '# X\n\n> ```text output\n> a 1\n> ```\n\n~~~text output\nb\n~~~\n\n```sh\necho output\n```\n\n```ts\nconst input = 1;\n```\n');
    expect(checks.errors).toEqual([]);
    expect(checks.outputs.map((b) => b.lines)).toEqual([['a 1'], ['b']]);
  });

  it('a word in a block is content, not a fence', () => {
    expect(errorsOf('````md\n```txt output\n````')).toEqual([]);
  });
});

describe('Markdown tables in output blocks', () => {
  it('a delimiter cell matches one of the same alignment, whatever its length', () => {
    const block = { file: 'chapters/09-x.md', line: 3, lines: ['| method | KL |', '| :----- | --: |', '| DPO    | 9.5 |'] };
    const wider = ['| method |   KL |', '| :----- | ---: |', '| DPO    | 10.1 |'];
    expect(matchOutputs([{ ...block, tolerance: 1 }], wider)).toEqual([]);
    expect(matchOutputs([block], ['| method | KL |', '| :----- | :-: |', '| DPO | 9.5 |'])).toHaveLength(1);
    expect(matchOutputs([block], ['| method | KL |', '| ------ | --: |', '| DPO | 9.5 |'])).toHaveLength(1);
  });
});
