import { describe, expect, it } from 'vitest';
import { routes, type HttpMethod } from '../../../lib/catalogue.ts';
import { handler } from '../../../functions/http/platform/not-found.ts';
import { decodeResult, httpEvent } from '../support/api-gateway-event.ts';

const METHODS: readonly string[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/** A concrete request path of a route: each `{param}` filled with a value. */
const concrete = (path: string) => path.replace(/\{[^}]+\+\}/g, 'a/b').replace(/\{[^}]+\}/g, 'x1');

/** Every catalogue path with the methods its routes answer. */
const byPath = new Map<string, Set<HttpMethod>>();
for (const route of routes) byPath.set(route.path, (byPath.get(route.path) ?? new Set()).add(route.method));
// A path with an ANY route answers every method: it never reaches the $default route.
for (const [path, methods] of byPath) if (methods.has('ANY')) byPath.delete(path);

const call = async (method: string, path: string) =>
  decodeResult(await handler(httpEvent({ method, path, routePath: '$default', requestId: 'req-405' })));

describe('the $default route on a known path asked with another method', () => {
  const cases = [...byPath].flatMap(([path, served]) => METHODS.filter((m) => !served.has(m as HttpMethod)).map((method) => [method, path, [...served]] as const));

  it.each(cases)('answers %s %s with a 405 and Allow, in the family shape', async (method, path, served) => {
    const response = await call(method, concrete(path));

    expect(response.status).toBe(405);
    // Another route may share the concrete path (a {param} matching a literal): Allow lists every method of it.
    expect(response.headers.allow!.split(', ')).toEqual(expect.arrayContaining([...served]));
    if (path.startsWith('/v2/')) {
      expect(response.body).toEqual({ error: { type: 'invalid_request_error', message: expect.stringContaining(`${method} is not allowed`) } });
    } else {
      expect(response.body).toEqual({
        detail: expect.stringContaining(`allowed: ${response.headers.allow}`),
        error_code: 'method_not_allowed',
        correlation_id: 'req-405',
        timestamp: expect.any(String),
      });
    }
  });

  it('lists every method of a path in Allow, with a trailing slash too', async () => {
    const runs = await call('DELETE', '/v2/replay-runs/');
    expect(runs.status).toBe(405);
    expect(runs.headers.allow).toBe('GET, POST');
    expect((await call('PATCH', '/v2/usage-events')).headers.allow).toBe('GET, POST');
  });

  it('still answers 404 for a path no route has', async () => {
    const response = await call('GET', '/api/v1/nowhere');
    expect(response.status).toBe(404);
    expect(response.headers).not.toHaveProperty('allow');
    expect(response.body).toMatchObject({ error_code: 'route_not_found' });
  });
});
