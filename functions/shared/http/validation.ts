import { z } from 'zod';
import { ValidationFailedError, type FieldIssue } from '#core/errors.ts';

export type RequestPart = 'body' | 'query' | 'path' | 'header';

/** Parses one part of a request, or throws a `ValidationFailedError` with every issue found. */
export function parseRequestPart<S extends z.ZodType>(part: RequestPart, schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  throw new ValidationFailedError(result.error.issues.map((issue) => toFieldIssue(part, issue)));
}

/** Maps a zod issue onto the `{loc, msg, type, input, ctx}` entry of a 422 body. */
export function toFieldIssue(part: RequestPart, issue: z.core.$ZodIssue): FieldIssue {
  const loc: (string | number)[] = [part, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
  const input = 'input' in issue ? issue.input : undefined;
  const base = { loc, msg: issue.message, ...(input === undefined ? {} : { input }) };

  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return { ...base, msg: 'Field required', type: 'missing' };
      return { ...base, type: `${issue.expected}_type` };
    case 'too_small':
      return { ...base, type: sizeType(issue.origin, 'small', issue.inclusive !== false), ctx: { [issue.inclusive === false ? 'gt' : 'ge']: num(issue.minimum) } };
    case 'too_big':
      return { ...base, type: sizeType(issue.origin, 'big', issue.inclusive !== false), ctx: { [issue.inclusive === false ? 'lt' : 'le']: num(issue.maximum) } };
    case 'invalid_value':
      return { ...base, type: 'enum', ctx: { expected: issue.values.map(String).join(', ') } };
    case 'invalid_format':
      return { ...base, type: `${issue.format}_parsing` };
    case 'unrecognized_keys':
      return { ...base, loc: [...loc, issue.keys[0] ?? ''], msg: `Unknown parameter: ${issue.keys.join(', ')}`, type: 'extra_forbidden', ctx: { keys: issue.keys } };
    case 'custom':
      // A refinement may name its error type (e.g. `params: { type: 'int_parsing' }`).
      return { ...base, type: typeof issue.params?.type === 'string' ? issue.params.type : 'value_error' };
    default:
      return { ...base, type: 'value_error' };
  }
}

function sizeType(origin: string, side: 'small' | 'big', inclusive: boolean): string {
  if (origin === 'string') return side === 'small' ? 'string_too_short' : 'string_too_long';
  if (origin === 'array' || origin === 'set') return side === 'small' ? 'too_short' : 'too_long';
  if (side === 'small') return inclusive ? 'greater_than_equal' : 'greater_than';
  return inclusive ? 'less_than_equal' : 'less_than';
}

function num(value: number | bigint): number {
  return typeof value === 'bigint' ? Number(value) : value;
}
