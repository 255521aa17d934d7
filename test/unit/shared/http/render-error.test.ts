import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  DomainError,
  InvalidRequestError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationFailedError,
} from '../../../../functions/core/errors.ts';
import { familyOfPath, renderError } from '../../../../functions/shared/http/error-shapes.ts';

const at = new Date('2026-11-25T12:34:56.789Z');
const invalid = new ValidationFailedError([
  { loc: ['body', 'items', 0, 'name'], msg: 'Field required', type: 'missing' },
  { loc: ['body', 'count'], msg: 'too big', type: 'less_than_equal', input: 11, ctx: { le: 10 } },
]);

describe('renderError on /api/v1', () => {
  it.each([
    [new NotFoundError('No such run', 'run_not_found'), 404, 'run_not_found'],
    [new ConflictError('Key reused', 'idempotency_key_reused'), 409, 'idempotency_key_reused'],
    [new UnauthorizedError(), 401, 'invalid_api_key'],
    [new InvalidRequestError('Bad', 'x'), 400, 'invalid_request'],
    [new PayloadTooLargeError(100), 413, 'payload_too_large'],
    [new UnsupportedMediaTypeError(), 415, 'unsupported_media_type'],
  ])('renders %o as {detail, error_code, correlation_id, timestamp}', (error, status, code) => {
    expect(renderError('v1', error, 'corr-7', at)).toEqual({
      status,
      body: { detail: error.message, error_code: code, correlation_id: 'corr-7', timestamp: '2026-11-25T12:34:56.789Z' },
    });
  });

  it('renders a validation failure as 422 with only the issue list', () => {
    const rendered = renderError('v1', invalid, 'corr-7', at);
    expect(rendered).toEqual({ status: 422, body: { detail: invalid.issues } });
    expect(rendered.body).not.toHaveProperty('error_code');
  });

  it('stamps the current time when none is given', () => {
    const before = Date.now();
    const { body } = renderError('v1', new NotFoundError('gone'), 'c') as { body: { timestamp: string } };
    expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(body.timestamp)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(body.timestamp)).toBeLessThanOrEqual(Date.now());
  });
});

describe('renderError on /v2', () => {
  it('renders a validation failure as a 400 invalid_request_error naming the first field', () => {
    expect(renderError('v2', invalid, 'c', at)).toEqual({
      status: 400,
      body: { error: { type: 'invalid_request_error', message: 'items.0.name: Field required', param: 'items.0.name' } },
    });
  });

  it('renders a 401 as invalid_api_key', () => {
    expect(renderError('v2', new UnauthorizedError('No key'), 'c', at)).toEqual({
      status: 401,
      body: { error: { type: 'invalid_api_key', message: 'No key' } },
    });
  });

  it.each([
    [new NotFoundError('gone'), 404],
    [new ConflictError('taken'), 409],
    [new PayloadTooLargeError(10), 413],
    [new UnsupportedMediaTypeError(), 415],
  ])('renders %o as an invalid_request_error without a param', (error, status) => {
    expect(renderError('v2', error, 'c', at)).toEqual({ status, body: { error: { type: 'invalid_request_error', message: error.message } } });
  });

  it('carries the param of a domain error that names one', () => {
    expect(renderError('v2', new InvalidRequestError('Pick a target', 'target_url'), 'c', at)).toEqual({
      status: 400,
      body: { error: { type: 'invalid_request_error', message: 'Pick a target', param: 'target_url' } },
    });
  });

  it('renders a domain 5xx as api_error', () => {
    expect(renderError('v2', new DomainError(503, 'unavailable', 'Try later'), 'c', at)).toEqual({
      status: 503,
      body: { error: { type: 'api_error', message: 'Try later' } },
    });
  });
});

describe('renderError on anything that is not a domain error', () => {
  const secret = 'connect ECONNREFUSED 10.0.0.5:5432 password=hunter2';
  const pretender = Object.assign(new Error(secret), { status: 400, code: 'bad', statusCode: 400 });

  it.each([
    ['an Error', new Error(secret)],
    ['a TypeError', new TypeError(secret)],
    ['an error posing as a 400', pretender],
    ['a string', secret],
    ['undefined', undefined],
  ])('answers 500 for %s on /api/v1 without exposing it', (_case, thrown) => {
    const rendered = renderError('v1', thrown, 'corr-9', at);
    expect(rendered).toEqual({
      status: 500,
      body: { detail: 'Internal server error', error_code: 'internal_error', correlation_id: 'corr-9', timestamp: at.toISOString() },
    });
    expect(JSON.stringify(rendered)).not.toContain('hunter2');
  });

  it.each([
    ['an Error', new Error(secret)],
    ['an error posing as a 400', pretender],
    ['a string', secret],
  ])('answers 500 api_error for %s on /v2 without exposing it', (_case, thrown) => {
    const rendered = renderError('v2', thrown, 'c', at);
    expect(rendered).toEqual({ status: 500, body: { error: { type: 'api_error', message: 'Internal server error' } } });
    expect(JSON.stringify(rendered)).not.toContain('hunter2');
  });
});

describe('familyOfPath', () => {
  it.each([
    ['/v2', 'v2'],
    ['/v2/', 'v2'],
    ['/v2/replay-runs/rpl_1', 'v2'],
    ['/v20/x', 'v1'],
    ['/v2x', 'v1'],
    ['/api/v1/replay/history', 'v1'],
    ['/api/v2/x', 'v1'],
    ['/health', 'v1'],
    ['/', 'v1'],
  ])('puts %s in the %s family', (path, family) => {
    expect(familyOfPath(path)).toBe(family);
  });
});
