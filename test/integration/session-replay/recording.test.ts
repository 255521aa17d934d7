import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';
import { allowLoopbackTargets, createEndpoint, expectError, sessionsOf, startServer, tenantApi, type LocalServer } from './support.ts';

allowLoopbackTargets();
let gateway: HttpGateway;
let upstream: LocalServer;
beforeAll(async () => {
  gateway = await startHttpGateway({ port: 0 });
  upstream = await startServer((request, response) => {
    if (request.url.startsWith('/binary')) {
      response.setHeader('content-type', 'application/octet-stream');
      return response.end(Buffer.from([0, 1, 2, 255, 254, 0x80]));
    }
    if (request.url.startsWith('/gzip')) {
      response.setHeader('content-type', 'application/json');
      response.setHeader('content-encoding', 'gzip');
      return response.end(gzipSync(JSON.stringify({ zipped: true })));
    }
    if (request.url.startsWith('/status/')) {
      response.statusCode = Number(request.url.split('/')[2]);
      response.setHeader('set-cookie', ['a=1; Path=/; Expires=Wed, 21 Oct 2037 07:28:00 GMT', 'b=2']);
      return response.end('status');
    }
    if (request.url.startsWith('/redirect')) {
      response.statusCode = 302;
      response.setHeader('location', '/elsewhere');
      return response.end();
    }
    response.setHeader('content-type', 'application/json');
    response.setHeader('x-upstream', 'yes');
    response.end(JSON.stringify({ method: request.method, url: request.url, body: request.body.toString('base64'), headers: request.headers }));
  });
});
afterAll(async () => {
  await gateway.stop();
  await upstream.stop();
});

describe('the recording proxy', () => {
  it('forwards method, path after the token, query, headers and body, and answers with the upstream status, headers and body', async () => {
    const { api } = await tenantApi(gateway, 'fwd');
    const endpoint = await createEndpoint(api, `${upstream.url}/base`);
    expect(endpoint.proxy_url).toMatch(new RegExp(`^${gateway.url}/proxy/pxt_[A-Za-z0-9_-]{43}$`));

    const response = await fetch(`${endpoint.proxy_url}/users/42?expand=a&expand=b`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: 'Bearer client-secret', 'x-custom': 'v' },
      body: JSON.stringify({ name: 'x' }),
    });
    const echoed = (await response.json()) as any;

    expect(response.status).toBe(200);
    expect(response.headers.get('x-upstream')).toBe('yes');
    expect(echoed.method).toBe('PUT');
    expect(echoed.url).toBe('/base/users/42?expand=a&expand=b');
    expect(Buffer.from(echoed.body, 'base64').toString()).toBe('{"name":"x"}');
    // The client's own credentials go to its upstream; Reprise's key is never involved.
    expect(echoed.headers.authorization).toBe('Bearer client-secret');
    expect(echoed.headers['x-custom']).toBe('v');
    expect(echoed.headers.host).toBe(new URL(upstream.url).host);
  });

  it('is binary-safe both ways, passes compressed bodies, statuses, several set-cookie headers (under the endpoint’s path) and redirects on as they came', async () => {
    const { api } = await tenantApi(gateway, 'binary');
    const endpoint = await createEndpoint(api, upstream.url);
    const bytes = Buffer.from([0, 159, 146, 150, 255, 0, 10]);

    const binary = await fetch(`${endpoint.proxy_url}/binary`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
    const got = Buffer.from(await binary.arrayBuffer());
    const gzip = await fetch(`${endpoint.proxy_url}/gzip`);
    const teapot = await fetch(`${endpoint.proxy_url}/status/418`);
    const redirect = await fetch(`${endpoint.proxy_url}/redirect`, { redirect: 'manual' });

    expect(got).toEqual(Buffer.from([0, 1, 2, 255, 254, 0x80]));
    expect(upstream.received.find((r) => r.url === '/binary')?.body).toEqual(bytes);
    expect(await gzip.json()).toEqual({ zipped: true });
    expect(teapot.status).toBe(418);
    // Cookies stay under the endpoint's proxy path; the answer is sandboxed (it is served from the API's origin).
    const prefix = new URL(endpoint.proxy_url).pathname;
    expect(teapot.headers.getSetCookie()).toEqual([`a=1; Path=${prefix}; Expires=Wed, 21 Oct 2037 07:28:00 GMT`, `b=2; Path=${prefix}`]);
    expect([teapot.headers.get('content-security-policy'), teapot.headers.get('x-content-type-options')]).toEqual(['sandbox', 'nosniff']);
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/elsewhere');
  });

  it('records each exchange with recording on: method, path, query, redacted headers, bodies (binary too), status, timing', async () => {
    const { api } = await tenantApi(gateway, 'record');
    const endpoint = await createEndpoint(api, upstream.url, { redact_headers: ['X-Internal-Token'] });
    await fetch(`${endpoint.proxy_url}/orders?page=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer s3cret', cookie: 'sid=abc', 'x-api-key': 'k', 'x-internal-token': 't', 'x-session-id': 'cart-1' },
      body: '{"sku":"A1"}',
    });
    await fetch(`${endpoint.proxy_url}/binary`, { method: 'PATCH', headers: { 'content-type': 'application/octet-stream', 'x-session-id': 'cart-1' }, body: Buffer.from([0, 255, 1]) });
    await fetch(`${endpoint.proxy_url}/status/404`, { method: 'DELETE', headers: { 'x-session-id': 'cart-1' } });

    const [session] = await sessionsOf(api, endpoint.id, { sessions: 1, requests: 3 });
    const detail = (await api.get(`/api/v1/proxy-endpoints/${endpoint.id}/sessions/${session!.id}`)).body;
    const [post, patch, del] = detail.recordings;

    expect(detail).toMatchObject({ grouped_by: 'header', client_session_id: 'cart-1', request_count: 3 });
    expect(detail.recordings.map((r: { method: string }) => r.method)).toEqual(['POST', 'PATCH', 'DELETE']);
    expect(post).toMatchObject({ path: '/orders', query: 'page=2', response_status: 200, source: 'proxy', upstream_error: null });
    expect(post.request_headers).toMatchObject({ authorization: '[redacted]', cookie: '[redacted]', 'x-api-key': '[redacted]', 'x-internal-token': '[redacted]', 'content-type': 'application/json' });
    expect(post.redacted_headers).toEqual(['authorization', 'cookie', 'x-api-key', 'x-internal-token']);
    // Headers are redacted; bodies are kept as they were (this upstream echoes the request into its answer).
    expect(JSON.stringify(detail.recordings.map((r: { request_headers: unknown }) => r.request_headers))).not.toMatch(/s3cret|sid=abc/);
    expect(post.request_body).toEqual({ size: 12, truncated: false, encoding: 'utf8', data: '{"sku":"A1"}' });
    expect(JSON.parse(post.response_body.data).url).toBe('/orders?page=2');
    expect(patch.request_body).toEqual({ size: 3, truncated: false, encoding: 'base64', data: Buffer.from([0, 255, 1]).toString('base64') });
    expect(patch.response_body).toMatchObject({ encoding: 'base64', data: Buffer.from([0, 1, 2, 255, 254, 0x80]).toString('base64') });
    expect(del).toMatchObject({ response_status: 404, response_headers: { 'set-cookie': '[redacted]' } });
    expect(Date.parse(post.started_at)).toBeLessThanOrEqual(Date.parse(del.started_at));
    expect(post.duration_ms).toBeGreaterThanOrEqual(0);

    const flat = (await api.get(`/api/v1/proxy-endpoints/${endpoint.id}/recordings`)).body;
    expect(flat.data.map((r: { method: string }) => r.method)).toEqual(['DELETE', 'PATCH', 'POST']);
  });

  it('keeps bodies above a few KB as objects, whole up to 1 MiB and cut and flagged beyond', async () => {
    const { api } = await tenantApi(gateway, 'bodies');
    const endpoint = await createEndpoint(api, upstream.url);
    const medium = Buffer.alloc(64 * 1024, 'm');
    const large = Buffer.alloc(1024 * 1024 + 10, 'L');
    await fetch(`${endpoint.proxy_url}/medium`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: medium });
    await fetch(`${endpoint.proxy_url}/large`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: large });

    const [session] = await sessionsOf(api, endpoint.id, { sessions: 1, requests: 2 });
    const listed = (await api.get(`/api/v1/proxy-endpoints/${endpoint.id}/sessions/${session!.id}`)).body.recordings;
    const full = await Promise.all(listed.map((r: { id: string }) => api.get(`/api/v1/proxy-endpoints/${endpoint.id}/sessions/${session!.id}/recordings/${r.id}`)));

    expect(listed[0].request_body).toEqual({ size: medium.length, truncated: false, encoding: 'utf8', data: null });
    expect(full[0]!.body.request_body.data).toBe(medium.toString());
    expect(full[1]!.body.request_body).toMatchObject({ size: large.length, truncated: true, encoding: 'utf8' });
    expect(full[1]!.body.request_body.data).toHaveLength(1024 * 1024);
    // The upstream still got all of it.
    expect(upstream.received.find((r) => r.url === '/large')?.body.length).toBe(large.length);
  });

  it('records nothing with recording off, and starts recording when it is switched on', async () => {
    const { api } = await tenantApi(gateway, 'off');
    const endpoint = await createEndpoint(api, upstream.url, { recording: false });
    expect((await fetch(`${endpoint.proxy_url}/a`)).status).toBe(200);
    expect(await sessionsOf(api, endpoint.id)).toEqual([]);

    const switched = await api.request('PATCH', `/api/v1/proxy-endpoints/${endpoint.id}`, { body: { recording: true } });
    await fetch(`${endpoint.proxy_url}/b`);

    expect(switched.body.recording).toBe(true);
    const sessions = await sessionsOf(api, endpoint.id, { sessions: 1, requests: 1 });
    expect(sessions).toHaveLength(1);
  });

  it('answers 404 for an unknown token and 502/504 with a clear body for an upstream that refuses or is gone', async () => {
    const { api } = await tenantApi(gateway, 'errors');
    const dead = await startServer();
    const deadUrl = dead.url;
    await dead.stop();
    const endpoint = await createEndpoint(api, deadUrl);

    const unknown = await fetch(`${gateway.url}/proxy/pxt_${'A'.repeat(43)}/x`);
    const refused = await fetch(`${endpoint.proxy_url}/x`);
    const refusedBody = (await refused.json()) as any;

    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as any).error_code).toBe('proxy_endpoint_not_found');
    expect(refused.status).toBe(502);
    expect(refusedBody).toMatchObject({ error_code: 'upstream_unreachable' });
    expect(refusedBody.detail).toMatch(/ECONNREFUSED/);
    // The failed exchange is recorded as the client saw it.
    const [session] = await sessionsOf(api, endpoint.id, { sessions: 1, requests: 1 });
    const recording = (await api.get(`/api/v1/proxy-endpoints/${endpoint.id}/sessions/${session!.id}`)).body.recordings[0];
    expect(recording).toMatchObject({ response_status: 502, upstream_error: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('stops the token at once when the endpoint is deleted, after the name is confirmed, and purges what it recorded', async () => {
    const { api } = await tenantApi(gateway, 'delete');
    const endpoint = await createEndpoint(api, upstream.url);
    await fetch(`${endpoint.proxy_url}/a`);
    await sessionsOf(api, endpoint.id, { sessions: 1, requests: 1 });

    const unconfirmed = await api.request('DELETE', `/api/v1/proxy-endpoints/${endpoint.id}`);
    const wrong = await api.request('DELETE', `/api/v1/proxy-endpoints/${endpoint.id}?confirm=nope`);
    const deleted = await api.request('DELETE', `/api/v1/proxy-endpoints/${endpoint.id}?confirm=${encodeURIComponent(endpoint.name)}`);

    expectError(unconfirmed, 422);
    expectError(wrong, 400, 'invalid_request');
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ id: endpoint.id, object: 'proxy_endpoint', deleted: true });
    expect((await fetch(`${endpoint.proxy_url}/a`)).status).toBe(404);
    expectError(await api.get(`/api/v1/proxy-endpoints/${endpoint.id}`), 404, 'proxy_endpoint_not_found');
    expectError(await api.get(`/api/v1/proxy-endpoints/${endpoint.id}/sessions`), 404);
    expect((await api.get('/api/v1/proxy-endpoints')).body.data).toEqual([]);
  });
});
