import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { ValidationFailedError } from '../../../../functions/core/errors.ts';
import { parseRequestPart } from '../../../../functions/shared/http/validation.ts';

const schema = z.object({
  count: z.number().int().min(0).max(10),
  name: z.string().min(2).max(4),
  tags: z.array(z.string()).max(1),
  kind: z.enum(['a', 'b']),
  id: z.uuid(),
  when: z.iso.datetime(),
  even: z.number().refine((n) => n % 2 === 0, 'must be even'),
});
const valid = { count: 1, name: 'abc', tags: [], kind: 'a', id: '01900000-0000-7000-8000-000000000001', when: '2026-01-01T00:00:00Z', even: 2 };

function issuesFor(value: unknown) {
  try {
    parseRequestPart('body', schema, value);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationFailedError);
    return (error as ValidationFailedError).issues;
  }
  throw new Error('expected a validation failure');
}

describe('zod issues as 422 entries', () => {
  it.each([
    [{ count: undefined }, ['body', 'count'], 'missing', undefined],
    [{ count: 'one' }, ['body', 'count'], 'number_type', undefined],
    [{ count: 11 }, ['body', 'count'], 'less_than_equal', { le: 10 }],
    [{ count: -1 }, ['body', 'count'], 'greater_than_equal', { ge: 0 }],
    [{ name: 'a' }, ['body', 'name'], 'string_too_short', { ge: 2 }],
    [{ name: 'abcde' }, ['body', 'name'], 'string_too_long', { le: 4 }],
    [{ tags: ['x', 'y'] }, ['body', 'tags'], 'too_long', { le: 1 }],
    [{ kind: 'c' }, ['body', 'kind'], 'enum', { expected: 'a, b' }],
    [{ id: 'nope' }, ['body', 'id'], 'uuid_parsing', undefined],
    [{ when: 'soon' }, ['body', 'when'], 'datetime_parsing', undefined],
    [{ even: 3 }, ['body', 'even'], 'value_error', undefined],
  ])('maps %j', (overrides, loc, type, ctx) => {
    const [issue] = issuesFor({ ...valid, ...overrides });
    expect(issue).toMatchObject({ loc, type });
    if (ctx) expect(issue?.ctx).toEqual(ctx);
    if (type === 'missing') expect(issue?.msg).toBe('Field required');
    const input = (overrides as Record<string, unknown>)[String(loc[1])];
    if (input !== undefined) expect(issue?.input).toEqual(input);
  });

  it('reports every issue at once, and the first one as the message and param', () => {
    try {
      parseRequestPart('query', schema, { ...valid, count: -1, kind: 'z' });
      throw new Error('expected a failure');
    } catch (error) {
      const failure = error as ValidationFailedError;
      expect(failure.issues.map((i) => i.loc)).toEqual([['query', 'count'], ['query', 'kind']]);
      expect(failure.param).toBe('count');
      expect(failure.message).toMatch(/^count: /);
    }
  });

  it('returns the parsed value when valid', () => {
    expect(parseRequestPart('body', schema, valid)).toEqual(valid);
  });
});
