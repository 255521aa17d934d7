import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonValueRules, numberProblem, parseJson } from '../../../../functions/shared/http/json-value.ts';

const SEED = 14;

describe('numberProblem', () => {
  it('keeps every double as JavaScript writes it, inside DynamoDB range', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        const magnitude = Math.abs(value);
        fc.pre(magnitude === 0 || (magnitude >= 1e-129 && magnitude < 1e125));
        expect(numberProblem(JSON.stringify(value), value)).toBeUndefined();
      }),
      { seed: SEED, numRuns: 2_000 },
    );
  });

  it('refuses integers past 2^53 that read back as another integer, and only those', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 2n ** 53n + 1n, max: 2n ** 60n }), (big) => {
        const source = String(big);
        const value = Number(source);
        expect(numberProblem(source, value)).toBe(JSON.stringify(value) === source ? undefined : 'precision');
      }),
      { seed: SEED, numRuns: 1_000 },
    );
  });

  it.each([
    ['1e126', 'range'],
    ['-1e126', 'range'],
    ['1e-131', 'range'],
    ['1e-400', 'range'],
    ['1e400', 'range'],
    ['0.0000000000000000000000000000000000001e-200', 'range'],
    ['12345678901234567890', 'precision'],
    ['0.12345678901234567890', 'precision'],
    ['0e999999', undefined],
    ['-0.000', undefined],
    ['1.2300000000000000000000e5', undefined],
    ['1E-130', undefined],
    ['9.99999999999999e125', undefined],
  ])('%s → %s', (source, problem) => {
    expect(numberProblem(source, Number(source))).toBe(problem);
  });
});

describe('parseJson', () => {
  it('finds a lone surrogate wherever it is, and only then', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.string({ unit: 'binary', maxLength: 4 }), (value, text) => {
        const json = JSON.stringify({ value, text });
        const issues = parseJson(json).issues.filter((issue) => issue.type === 'string_unicode');
        expect(issues.map((issue) => issue.loc)).toEqual(text.isWellFormed() ? [] : [['body', 'text']]);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('reports at most maxIssues issues, in document order', () => {
    const { issues } = parseJson(JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ [`k${i}`]: '\ud800' }))));
    expect(issues).toHaveLength(jsonValueRules.maxIssues);
    expect(issues[0]?.loc).toEqual(['body', 0, 'k0']);
    expect(issues[1]?.loc).toEqual(['body', 1, 'k1']);
  });

  it('parses a body nested far deeper than allowed without a stack overflow, and refuses it once', () => {
    const { issues } = parseJson(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(issues).toEqual([expect.objectContaining({ type: 'json_depth' })]);
  });

  it('throws a SyntaxError for text that is not JSON', () => {
    expect(() => parseJson('{"a":')).toThrow(SyntaxError);
  });
});
