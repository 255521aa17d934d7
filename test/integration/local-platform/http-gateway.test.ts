import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizer, type HttpMethod, type RouteSpec } from '../../../lib/catalogue.ts';
import { inProcessHost, type FunctionHost } from '../../../lib/local/function-host.ts';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';
import { BINARY_RESPONSE } from '../../fixtures/binary-route.ts';
import { createTenant } from '../../support/tenants.ts';

const TEN_MIB = 10 * 1024 * 1024;

const fixture = (method: HttpMethod, path: string, entry: string, extra: Partial<RouteSpec> = {}): RouteSpec => ({
  method,
  path,
  entry: `test/fixtures/${entry}`,
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
      fixture('GET', '/echo/{id}', 'echo-route.ts'),
      fixture('POST', '/echo/{id}', 'echo-route.ts'),
      fixture('GET', '/echo', 'echo-route.ts'),
      fixture('GET', '/secure/{id}', 'echo-route.ts', { auth: true }),
      fixture('GET', '/plain', 'plain-route.ts'),
      fixture('POST', '/sink', 'plain-route.ts'),
      fixture('GET', '/binary', 'binary-route.ts'),
      fixture('GET', '/throw', 'throwing-route.ts'),
      fixture('GET', '/hang', 'hanging-route.ts', { timeoutSeconds: 1 }),
    ],
  });
});
afterAll(() => gateway.stop());

/** The API Gateway v2 event the echo fixture received. */
async function echo(path: string, init: RequestInit = {}): Promise<APIGatewayProxyEventV2> {
  const response = await fetch(`${gateway.url}${path}`, init);
  expect(response.status).toBe(200);
  return (await response.json()) as APIGatewayProxyEventV2;
}

/** A request through node:http, which sends header names with the case they are given in. */
function rawGet(path: string, headers: Record<string, string | string[]>): Promise<APIGatewayProxyEventV2> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${gateway.url}${path}`, { method: 'GET', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve(JSON.parse(text) as APIGatewayProxyEventV2));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends bytes as they are (no client would send them malformed) and parses the one response. */
function rawExchange(request: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(new URL(gateway.url).port), '127.0.0.1', () => socket.end(request));
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = text.split('\r\n\r\n', 2);
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
  });
}

const authorizerContext = (event: APIGatewayProxyEventV2) =>
  (event.requestContext as { authorizer?: { lambda?: Record<string, unknown> } }).authorizer?.lambda;

describe('the local API Gateway v2 emulation: the event', () => {
  it('carries version, route key, raw path and query, lower-cased headers, parameters, cookies and the request context', async () => {
    const event = await rawGet('/echo/run%3A1%20b?x=1&x=2&y=a%20b&empty=', {
      'X-Mixed-Case': 'Yes',
      'User-Agent': 'reprise-test',
      Cookie: 'a=1; b=2',
    });

    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /echo/{id}',
      rawPath: '/echo/run%3A1%20b',
      rawQueryString: 'x=1&x=2&y=a%20b&empty=',
      queryStringParameters: { x: '1,2', y: 'a b', empty: '' },
      pathParameters: { id: 'run:1 b' },
      cookies: ['a=1', 'b=2'],
      isBase64Encoded: false,
      requestContext: {
        routeKey: 'GET /echo/{id}',
        stage: '$default',
        http: { method: 'GET', path: '/echo/run%3A1%20b', sourceIp: '127.0.0.1', userAgent: 'reprise-test' },
      },
    });
    expect(event.headers['x-mixed-case']).toBe('Yes');
    expect(Object.keys(event.headers).filter((name) => name !== name.toLowerCase())).toEqual([]);
    expect(event.body).toBeUndefined();
    expect(event.requestContext.requestId).toMatch(/.+/);
    expect(Math.abs(event.requestContext.timeEpoch - Date.now())).toBeLessThan(10_000);
  });

  it('leaves out queryStringParameters, pathParameters and cookies when there are none', async () => {
    const event = await echo('/echo');

    expect(event.rawQueryString).toBe('');
    expect(event).not.toHaveProperty('queryStringParameters');
    expect(event).not.toHaveProperty('pathParameters');
    expect(event).not.toHaveProperty('cookies');
  });

  it('keeps query parameters whose names are also Object.prototype members', async () => {
    const event = await echo('/echo/1?constructor=c&toString=t&__proto__=p&hasOwnProperty=h');

    // A computed key: a literal `__proto__: 'p'` would not create an own property.
    expect(event.queryStringParameters).toEqual({ constructor: 'c', toString: 't', ['__proto__']: 'p', hasOwnProperty: 'h' });
  });

  it('joins a repeated header with commas, as API Gateway does ("value1,value2")', async () => {
    const event = await rawGet('/echo/1', { 'x-repeated': ['value1', 'value2'] });

    expect(event.headers['x-repeated']).toBe('value1,value2');
  });

  it('gives every request its own requestId', async () => {
    const events = await Promise.all(Array.from({ length: 10 }, () => echo('/echo/same')));

    expect(new Set(events.map((e) => e.requestContext.requestId)).size).toBe(10);
  });

  it.each([
    ['application/json', '{"a":1,"é":"ü"}'],
    ['application/json; charset=utf-8', '{"a":1}'],
    ['application/vnd.api+json', '{"data":[]}'],
    ['application/x-www-form-urlencoded', 'a=1&b=%20'],
    ['text/plain', 'just text'],
  ])('passes a %s body as text', async (contentType, body) => {
    const event = await echo('/echo/1', { method: 'POST', body, headers: { 'content-type': contentType } });

    expect(event).toMatchObject({ body, isBase64Encoded: false });
  });

  it.each(['application/octet-stream', 'image/png', 'application/pdf'])('passes a %s body base64-encoded, with isBase64Encoded', async (contentType) => {
    const bytes = new Uint8Array([0, 255, 1, 0x80, 0x0a]);

    const event = await echo('/echo/1', { method: 'POST', body: bytes, headers: { 'content-type': contentType } });

    expect(event).toMatchObject({ body: Buffer.from(bytes).toString('base64'), isBase64Encoded: true });
  });
});

describe('the local API Gateway v2 emulation: the response', () => {
  it('turns a plain returned object into a 200 JSON response, as API Gateway infers it', async () => {
    const response = await fetch(`${gateway.url}/plain`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ hello: 'world' });
  });

  it('decodes a base64 result body and sends its status, headers and cookies', async () => {
    const response = await fetch(`${gateway.url}/binary`);

    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('x-fixture')).toBe('binary');
    expect(response.headers.getSetCookie()).toEqual(['session=abc; HttpOnly', 'theme=dark']);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(BINARY_RESPONSE);
  });

  it('answers an unknown path with the catalogue’s fallback route: a 404 in the API family’s error shape', async () => {
    const v1 = await fetch(`${gateway.url}/api/v1/nowhere`);
    const v1Body = (await v1.json()) as Record<string, unknown>;
    const v2 = await fetch(`${gateway.url}/v2/nowhere`);

    expect(v1.status).toBe(404);
    expect(v1.headers.get('content-type')).toBe('application/json');
    expect(v1Body).toEqual({
      detail: 'No route for GET /api/v1/nowhere',
      error_code: 'route_not_found',
      correlation_id: v1.headers.get('x-correlation-id'),
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    expect(v2.status).toBe(404);
    expect(await v2.json()).toEqual({ error: { type: 'invalid_request_error', message: 'No route for GET /v2/nowhere' } });
  });

  it('sends a request whose method no route has for that path to the fallback', async () => {
    const response = await fetch(`${gateway.url}/plain`, { method: 'DELETE' });

    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error_code: 'route_not_found', detail: 'No route for DELETE /plain' });
  });

  it('accepts a body of exactly 10 MiB and refuses one byte more with 413, in the error shape of the path\'s family', async () => {
    const atLimit = await fetch(`${gateway.url}/sink`, { method: 'POST', body: Buffer.alloc(TEN_MIB, 'a'), headers: { 'content-type': 'text/plain' } });
    const overLimit = await fetch(`${gateway.url}/sink`, { method: 'POST', body: Buffer.alloc(TEN_MIB + 1, 'a'), headers: { 'content-type': 'text/plain' } });
    const overLimitV2 = await fetch(`${gateway.url}/v2/anything`, { method: 'POST', body: Buffer.alloc(TEN_MIB + 1, 'a'), headers: { 'content-type': 'text/plain' } });

    expect(atLimit.status).toBe(200);
    expect(overLimit.status).toBe(413);
    expect(overLimit.headers.get('content-type')).toBe('application/json');
    expect(await overLimit.json()).toEqual({
      detail: `Request body exceeds the gateway's limit of ${TEN_MIB} bytes`,
      error_code: 'payload_too_large',
      correlation_id: overLimit.headers.get('x-correlation-id'),
      timestamp: expect.any(String),
    });
    expect(overLimitV2.status).toBe(413);
    expect(await overLimitV2.json()).toEqual({ error: { type: 'invalid_request_error', message: `Request body exceeds the gateway's limit of ${TEN_MIB} bytes` } });
  });

  it('answers headers over API Gateway\'s 10 KiB with 431 in the family shape, not Node\'s bare 431', async () => {
    const response = await rawExchange(`GET /v2/replay-runs HTTP/1.1\r\nHost: local\r\nX-Big: ${'a'.repeat(11 * 1024)}\r\n\r\n`);

    expect(response.status).toBe(431);
    expect(response.headers['content-type']).toBe('application/json');
    expect(JSON.parse(response.body)).toEqual({ error: { type: 'invalid_request_error', message: 'The request line and headers exceed the limit of 10240 bytes' } });
  });

  it('answers a request line Node refuses with 400 in the family shape', async () => {
    const response = await rawExchange('GET /api/v1/replay/stats HTTP/1.1\r\nHost: local\r\nBad Header: x\r\n\r\n');

    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ error_code: 'bad_request', correlation_id: response.headers['x-correlation-id'] });
  });

  it('answers 500 JSON for a handler that throws, without its error message', async () => {
    const response = await fetch(`${gateway.url}/throw`);
    const text = await response.text();

    expect(response.status).toBe(500);
    expect(JSON.parse(text)).toEqual({ message: 'Internal Server Error' });
    expect(text).not.toContain('secret');
  });

  it('times a handler out at its timeoutSeconds as Lambda does (500 JSON), and serves other requests meanwhile', async () => {
    const started = Date.now();
    const settled: string[] = [];
    const hung = fetch(`${gateway.url}/hang`).then(async (response) => {
      settled.push('hang');
      return { status: response.status, body: (await response.json()) as unknown, elapsed: Date.now() - started };
    });
    const meanwhile = await fetch(`${gateway.url}/plain`);
    settled.push('plain');

    const timedOut = await hung;
    const after = await fetch(`${gateway.url}/plain`);

    expect(meanwhile.status).toBe(200);
    expect(settled).toEqual(['plain', 'hang']);
    expect(timedOut.status).toBe(500);
    expect(timedOut.body).toEqual({ message: 'Internal Server Error' });
    expect(timedOut.elapsed).toBeGreaterThanOrEqual(950);
    expect(timedOut.elapsed).toBeLessThan(5_000);
    expect(after.status).toBe(200);
  });
});

describe('the local API Gateway v2 emulation: the Lambda authorizer', () => {
  it('runs the real authorizer before an auth route and hands its verdict to the route', async () => {
    const tenant = await createTenant('gateway');

    const event = await echo('/secure/1', { headers: { authorization: `Bearer ${tenant.apiKey}` } });

    expect(authorizerContext(event)).toEqual({ authenticated: true, orgId: tenant.orgId, projectId: tenant.projectId, projectName: tenant.projectName, keyId: tenant.keyId });
  });

  it.each([
    ['a malformed key', { authorization: 'Bearer rpr_nope' }, 'malformed'],
    ['a well-formed key nobody holds', { authorization: `Bearer rpr_${'A'.repeat(43)}` }, 'unknown'],
    ['no Authorization header', {}, 'missing'],
  ])('lets the route answer for %s: authenticated false', async (_label, headers: Record<string, string>, reason) => {
    const event = await echo('/secure/1', { headers });

    expect(authorizerContext(event)).toEqual({ authenticated: false, reason });
  });

  it('does not run the authorizer for a public route', async () => {
    const tenant = await createTenant('gateway');

    const event = await echo('/echo/1', { headers: { authorization: `Bearer ${tenant.apiKey}` } });

    expect(event.requestContext).not.toHaveProperty('authorizer');
  });
});

describe('the local API Gateway v2 emulation: authorizer answers', () => {
  /** The in-process host, counting the authorizer's invocations. */
  function countingHost() {
    const counted = { authorizer: 0 };
    const host: FunctionHost = {
      invoke: (spec, event) => {
        if (spec.entry === authorizer.entry) counted.authorizer++;
        return inProcessHost.invoke(spec, event);
      },
      stop: async () => {},
    };
    return { host, counted };
  }

  it('are reused per key for the catalogue\'s verdictTtlSeconds (60 s), as the authorizer reuses its lookups', async () => {
    const { host, counted } = countingHost();
    const cached = await startHttpGateway({ port: 0, functions: host, routes: [fixture('GET', '/secure/{id}', 'echo-route.ts', { auth: true })] });
    const [first, second] = [await createTenant('verdicts'), await createTenant('verdicts')];
    try {
      const contexts = [];
      for (const key of [first.apiKey, first.apiKey, first.apiKey, second.apiKey, second.apiKey]) {
        const response = await fetch(`${cached.url}/secure/1`, { headers: { authorization: `Bearer ${key}` } });
        contexts.push(authorizerContext((await response.json()) as APIGatewayProxyEventV2));
      }

      expect(counted.authorizer).toBe(2);
      expect(contexts.map((c) => c?.projectId)).toEqual([first.projectId, first.projectId, first.projectId, second.projectId, second.projectId]);
      expect(authorizer.verdictTtlSeconds).toBe(60);
    } finally {
      await cached.stop();
    }
  });

  it('are asked for every time with a TTL of 0', async () => {
    const { host, counted } = countingHost();
    const uncached = await startHttpGateway({ port: 0, functions: host, verdictTtlSeconds: 0, routes: [fixture('GET', '/secure/{id}', 'echo-route.ts', { auth: true })] });
    const tenant = await createTenant('no-verdicts');
    try {
      for (let i = 0; i < 3; i++) await fetch(`${uncached.url}/secure/1`, { headers: { authorization: `Bearer ${tenant.apiKey}` } });

      expect(counted.authorizer).toBe(3);
    } finally {
      await uncached.stop();
    }
  });
});
