import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteSpec } from '../../../lib/catalogue.ts';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';
import { createTenant } from '../../support/tenants.ts';

const fixture = (method: RouteSpec['method'], path: string, entry: string, extra: Partial<RouteSpec> = {}): RouteSpec => ({
  method,
  path,
  entry,
  auth: false,
  timeoutSeconds: 5,
  memoryMb: 128,
  uses: [],
  ...extra,
});

let gateway: HttpGateway;
beforeAll(async () => {
  gateway = await startHttpGateway({
    port: 0,
    routes: [
      fixture('GET', '/echo/{id}', 'test/fixtures/echo-route.ts'),
      fixture('POST', '/echo/{id}', 'test/fixtures/echo-route.ts'),
      fixture('GET', '/secure', 'test/fixtures/echo-route.ts', { auth: true }),
      fixture('GET', '/plain', 'test/fixtures/plain-route.ts'),
      fixture('GET', '/hang', 'test/fixtures/hanging-route.ts', { timeoutSeconds: 1 }),
    ],
  });
});
afterAll(() => gateway.stop());

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const echo = async (path: string, init: RequestInit = {}): Promise<any> => (await fetch(`${gateway.url}${path}`, init)).json();

describe('the local API Gateway v2 emulation', () => {
  it('builds the v2 event: route key, raw path and query, headers, parameters, cookies, request context', async () => {
    const event = await echo('/echo/a%20b?x=1&x=2&y=z', { headers: { 'X-Custom': 'Yes', cookie: 'a=1; b=2' } });
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /echo/{id}',
      rawPath: '/echo/a%20b',
      rawQueryString: 'x=1&x=2&y=z',
      queryStringParameters: { x: '1,2', y: 'z' },
      pathParameters: { id: 'a b' },
      cookies: ['a=1', 'b=2'],
      headers: expect.objectContaining({ 'x-custom': 'Yes' }),
      requestContext: expect.objectContaining({ http: expect.objectContaining({ method: 'GET', path: '/echo/a%20b', sourceIp: '127.0.0.1' }), stage: '$default' }),
      isBase64Encoded: false,
    });
    const again = await echo('/echo/a');
    expect(again.requestContext.requestId).not.toBe(event.requestContext.requestId);
  });

  it('passes JSON bodies as text and binary bodies as base64', async () => {
    const json = await echo('/echo/1', { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    expect(json).toMatchObject({ body: '{"a":1}', isBase64Encoded: false });
    const binary = await echo('/echo/1', { method: 'POST', body: new Uint8Array([0, 255, 1]), headers: { 'content-type': 'application/octet-stream' } });
    expect(binary).toMatchObject({ body: Buffer.from([0, 255, 1]).toString('base64'), isBase64Encoded: true });
  });

  it('turns a plain returned object into a 200 JSON response, as API Gateway does', async () => {
    const response = await fetch(`${gateway.url}/plain`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ hello: 'world' });
  });

  it('sends unmatched requests to the fallback route, in the API error shape', async () => {
    const response = await fetch(`${gateway.url}/nowhere`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error_code: 'route_not_found' });
    expect((await fetch(`${gateway.url}/echo/1`, { method: 'DELETE' })).status).toBe(404);
  });

  it('refuses a body over 10 MiB with 413', async () => {
    const response = await fetch(`${gateway.url}/echo/1`, { method: 'POST', body: Buffer.alloc(10 * 1024 * 1024 + 1) });
    expect(response.status).toBe(413);
  });

  it('runs the authorizer before auth routes and hands its verdict in the context', async () => {
    const tenant = await createTenant('gateway');
    const ok = await echo('/secure', { headers: { authorization: `Bearer ${tenant.apiKey}` } });
    const bad = await echo('/secure', { headers: { authorization: 'Bearer rpr_nope' } });
    expect(ok.requestContext.authorizer.lambda).toEqual({ authenticated: true, orgId: tenant.orgId, projectId: tenant.projectId, keyId: expect.any(String) });
    expect(bad.requestContext.authorizer.lambda).toEqual({ authenticated: false, reason: 'malformed' });
    expect((await echo('/echo/1', { headers: { authorization: `Bearer ${tenant.apiKey}` } })).requestContext.authorizer).toBeUndefined();
  });

  it('times a handler out as Lambda does, and keeps serving', async () => {
    const hung = await fetch(`${gateway.url}/hang`);
    expect(hung.status).toBe(500);
    expect((await fetch(`${gateway.url}/plain`)).status).toBe(200);
  });
});
