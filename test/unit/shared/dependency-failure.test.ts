import { ProvisionedThroughputExceededException, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { DependencyUnavailableError } from '../../../functions/core/errors.ts';
import { dependencyFailureOf } from '../../../functions/shared/dependency-failure.ts';
import { callerOf } from '../../../functions/shared/http/caller.ts';
import { defineContract } from '../../../functions/shared/http/contract.ts';
import type { ApiFamily } from '../../../functions/shared/http/error-shapes.ts';
import { httpRoute } from '../../../functions/shared/http/route.ts';
import { authenticatedAs, decodeResult, fakeLambdaContext, httpEvent } from '../support/api-gateway-event.ts';

const meta = { $metadata: {} };
const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED', $metadata: { attempts: 3 } });
const throttled = new ProvisionedThroughputExceededException({ message: 'Rate exceeded', ...meta });
const slowDown = new S3ServiceException({ name: 'SlowDown', $fault: 'server', message: 'Please reduce your request rate.', ...meta });
const internal = new S3ServiceException({ name: 'InternalError', $fault: 'server', message: 'We encountered an internal error', $metadata: { httpStatusCode: 500 } });
const timedOut = Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' });

describe('dependencyFailureOf', () => {
  it.each([
    ['a refused connection', refused, { kind: 'unavailable', reason: 'connection refused' }],
    ['DynamoDB throttling', throttled, { kind: 'throttled', reason: 'throttled' }],
    ['S3 SlowDown', slowDown, { kind: 'throttled', reason: 'throttled' }],
    ['a 500 of the service', internal, { kind: 'unavailable', reason: 'server error (InternalError)' }],
    ['an SDK timeout', timedOut, { kind: 'unavailable', reason: 'timed out' }],
    ['a failure wrapped as a cause (Powertools parameters)', new Error('Failed to get secret', { cause: refused }), { kind: 'unavailable', reason: 'connection refused' }],
  ])('recognises %s', (_label, error, expected) => {
    expect(dependencyFailureOf(error)).toEqual(expected);
  });

  it.each([
    ['a missing table (a deployment error)', new ResourceNotFoundException({ message: 'Requested resource not found', ...meta })],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['a non-error', 'boom'],
  ])('does not take %s for a dependency failure', (_label, error) => {
    expect(dependencyFailureOf(error)).toBeUndefined();
  });
});

const contractOf = (family: ApiFamily) =>
  defineContract({
    method: 'GET',
    path: family === 'v1' ? '/api/v1/things' : '/v2/things',
    family,
    operationId: `listThings_${family}`,
    summary: 'List things',
    tags: ['test'],
    auth: true,
    request: {},
    responses: { 200: { description: 'Things', schema: z.object({}) } },
  });

describe('a route whose dependency fails', () => {
  const failingWith = (family: ApiFamily, error: unknown) =>
    httpRoute(contractOf(family), async () => {
      throw error;
    });
  const event = (family: ApiFamily) => httpEvent({ path: family === 'v1' ? '/api/v1/things' : '/v2/things', authorizer: authenticatedAs() });

  it('answers 503 with Retry-After in the /api/v1 shape, with its correlation id', async () => {
    const result = decodeResult(await failingWith('v1', refused)(event('v1'), fakeLambdaContext()));

    expect(result.status).toBe(503);
    expect(result.headers['retry-after']).toBe('5');
    expect(result.body).toEqual({
      detail: 'A service this API depends on is unavailable right now; retry shortly.',
      error_code: 'service_unavailable',
      correlation_id: 'apigw-request-1',
      timestamp: expect.any(String),
    });
    expect(result.rawBody).not.toContain('127.0.0.1');
  });

  it('answers 503 with a short Retry-After in the /v2 shape when it is throttled', async () => {
    const result = decodeResult(await failingWith('v2', throttled)(event('v2'), fakeLambdaContext()));

    expect(result.status).toBe(503);
    expect(result.headers['retry-after']).toBe('1');
    expect(result.body).toEqual({ error: { type: 'api_error', message: 'A service this API depends on is throttling requests; retry shortly.' } });
  });

  it('still answers 500 for a bug', async () => {
    const result = decodeResult(await failingWith('v2', new TypeError('bug'))(event('v2'), fakeLambdaContext()));

    expect(result.status).toBe(500);
    expect(result.headers['retry-after']).toBeUndefined();
  });

  it('answers 503, not 401, when the authorizer could not read the key table', async () => {
    const route = httpRoute(contractOf('v1'), async () => ({ status: 200, body: {} }));

    const result = decodeResult(await route(httpEvent({ path: '/api/v1/things', authorizer: { authenticated: false, reason: 'unavailable' } }), fakeLambdaContext()));

    expect(result.status).toBe(503);
    expect(result.body).toMatchObject({ error_code: 'service_unavailable' });
    expect(() => callerOf(httpEvent({ authorizer: { authenticated: false, reason: 'unavailable' } }))).toThrow(DependencyUnavailableError);
  });
});
