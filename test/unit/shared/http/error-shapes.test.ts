import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, UnauthorizedError, ValidationFailedError } from '../../../../functions/core/errors.ts';
import { familyOfPath, renderError } from '../../../../functions/shared/http/error-shapes.ts';

const at = new Date('2026-11-25T12:00:00.000Z');
const invalid = new ValidationFailedError([{ loc: ['body', 'baseline'], msg: 'must not be empty', type: 'string_too_short' }]);

describe('error shapes', () => {
  it('/api/v1: detail, error_code, correlation_id, timestamp', () => {
    expect(renderError('v1', new NotFoundError('No such run', 'run_not_found'), 'corr-1', at)).toEqual({
      status: 404,
      body: { detail: 'No such run', error_code: 'run_not_found', correlation_id: 'corr-1', timestamp: '2026-11-25T12:00:00.000Z' },
    });
    expect(renderError('v1', new ConflictError('dup'), 'c', at).status).toBe(409);
  });

  it('/api/v1 validation: 422 with the issue list', () => {
    expect(renderError('v1', invalid, 'c', at)).toEqual({ status: 422, body: { detail: invalid.issues } });
  });

  it('/v2: error.type, message and param; validation is a 400', () => {
    expect(renderError('v2', invalid, 'c', at)).toEqual({
      status: 400,
      body: { error: { type: 'invalid_request_error', message: 'baseline: must not be empty', param: 'baseline' } },
    });
    expect(renderError('v2', new UnauthorizedError(), 'c', at)).toMatchObject({ status: 401, body: { error: { type: 'invalid_api_key' } } });
    expect(renderError('v2', new NotFoundError('gone'), 'c', at)).toEqual({ status: 404, body: { error: { type: 'invalid_request_error', message: 'gone' } } });
  });

  it('never exposes an unexpected error', () => {
    const leak = new Error('connect ECONNREFUSED 10.0.0.5 password=hunter2');
    const v1 = renderError('v1', leak, 'c', at);
    const v2 = renderError('v2', leak, 'c', at);
    expect(v1).toMatchObject({ status: 500, body: { detail: 'Internal server error', error_code: 'internal_error' } });
    expect(v2).toEqual({ status: 500, body: { error: { type: 'api_error', message: 'Internal server error' } } });
    expect(JSON.stringify([v1, v2])).not.toContain('hunter2');
  });

  it('picks the family from the path', () => {
    expect(familyOfPath('/v2/replay-runs')).toBe('v2');
    expect(familyOfPath('/v2')).toBe('v2');
    expect(familyOfPath('/v20/x')).toBe('v1');
    expect(familyOfPath('/api/v1/replay')).toBe('v1');
  });
});
