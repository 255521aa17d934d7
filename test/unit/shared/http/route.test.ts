import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { defineContract } from '../../../../functions/shared/http/contract.ts';
import { httpRoute } from '../../../../functions/shared/http/route.ts';
import { httpEvent, lambdaContext, signedIn } from '../../support/http-event.ts';

const contract = (family: 'v1' | 'v2') =>
  defineContract({
    method: 'POST',
    path: family === 'v1' ? '/api/v1/things/{id}' : '/v2/things/{id}',
    family,
    operationId: `make-${family}`,
    summary: 'test',
    tags: ['test'],
    auth: true,
    maxBodyBytes: 100,
    request: {
      path: z.object({ id: z.string().regex(/^t\d+$/) }),
      query: z.object({ n: z.coerce.number().int().max(5).default(1) }),
      headers: z.object({ 'x-mode': z.enum(['fast', 'slow']).optional() }),
      body: z.object({ name: z.string().min(1) }),
    },
    responses: { 201: { description: 'made' } },
  });

const seen: unknown[] = [];
const v1 = httpRoute(contract('v1'), async (request) => {
  seen.push(request);
  if (request.body.name === 'boom') throw new Error('secret internals');
  return { status: 201, body: { id: request.path.id, n: request.query.n, mode: request.header['x-mode'] ?? null, org: request.caller.orgId } };
});
const v2 = httpRoute(contract('v2'), async () => ({ status: 201, body: {} }));

const call = async (handler: typeof v1, options: Parameters<typeof httpEvent>[0]) => {
  const result = (await handler(
    httpEvent({
      method: 'POST',
      pathParameters: { id: 't1' },
      headers: { 'content-type': 'application/json' },
      authorizer: signedIn,
      body: '{"name":"x"}',
      ...options,
    }),
    lambdaContext(),
  )) as { statusCode: number; headers: Record<string, string>; body: string };
  return { status: result.statusCode, headers: result.headers, body: result.body ? JSON.parse(result.body) : undefined };
};

describe('the HTTP frame', () => {
  it('validates path, query, header and body, and passes the caller', async () => {
    const response = await call(v1, { query: { n: '3' }, headers: { 'content-type': 'application/json', 'X-Mode': 'fast' } });
    expect(response).toMatchObject({ status: 201, body: { id: 't1', n: 3, mode: 'fast', org: 'org' } });
    expect(response.headers['content-type']).toBe('application/json');
  });

  it('echoes a safe x-correlation-id and replaces an unsafe one with the request id', async () => {
    expect((await call(v1, { headers: { 'content-type': 'application/json', 'x-correlation-id': 'trace-42' } })).headers['x-correlation-id']).toBe('trace-42');
    const unsafe = await call(v1, { headers: { 'content-type': 'application/json', 'x-correlation-id': 'bad id\nwith newline' } });
    expect(unsafe.headers['x-correlation-id']).toBe('req-123');
  });

  it.each([
    ['no authorizer context', undefined],
    ['an unauthenticated verdict', { authenticated: false, reason: 'unknown' }],
  ])('answers 401 with %s, in each family shape', async (_case, authorizer) => {
    const event = { authorizer: authorizer as Record<string, unknown> };
    const one = await call(v1, authorizer ? event : { authorizer: undefined as never });
    const two = await call(v2, authorizer ? event : { authorizer: undefined as never });
    expect(one).toMatchObject({ status: 401, body: { error_code: 'invalid_api_key', correlation_id: 'req-123' } });
    expect(two).toMatchObject({ status: 401, body: { error: { type: 'invalid_api_key' } } });
    expect(one.headers['x-correlation-id']).toBe('req-123');
  });

  it('answers 413 over the body limit, 415 for other media types, 422 for malformed JSON', async () => {
    expect((await call(v1, { body: JSON.stringify({ name: 'x'.repeat(200) }) })).status).toBe(413);
    expect((await call(v1, { headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    const malformed = await call(v1, { body: '{"name":' });
    expect(malformed.status).toBe(422);
    expect(malformed.body.detail[0]).toMatchObject({ loc: ['body'], type: 'json_invalid' });
    expect((await call(v2, { body: '{' })).body).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it('reports each invalid part where it is', async () => {
    expect((await call(v1, { pathParameters: { id: 'x' } })).body.detail[0].loc).toEqual(['path', 'id']);
    expect((await call(v1, { query: { n: '9' } })).body.detail[0].loc).toEqual(['query', 'n']);
    expect((await call(v1, { headers: { 'content-type': 'application/json', 'x-mode': 'warp' } })).body.detail[0].loc).toEqual(['header', 'x-mode']);
    expect((await call(v1, { body: '{"name":""}' })).body.detail[0].loc).toEqual(['body', 'name']);
    expect((await call(v2, { body: '{"name":""}' })).body).toEqual({
      error: { type: 'invalid_request_error', message: expect.stringContaining('name'), param: 'name' },
    });
  });

  it('answers 500 without internals when the route throws', async () => {
    const response = await call(v1, { body: '{"name":"boom"}' });
    expect(response.status).toBe(500);
    expect(JSON.stringify(response.body)).not.toContain('secret');
    expect(response.headers['x-correlation-id']).toBe('req-123');
  });
});
