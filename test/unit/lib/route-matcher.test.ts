import { describe, expect, it } from 'vitest';
import type { HttpMethod, RouteSpec } from '../../../lib/catalogue.ts';
import { routes } from '../../../lib/catalogue.ts';
import { createAllowedMethods, createRouteMatcher } from '../../../lib/route-matcher.ts';

const route = (method: HttpMethod, path: string): RouteSpec => ({
  method,
  path,
  entry: `fixtures/${method} ${path}`,
  auth: false,
  timeoutSeconds: 1,
  memoryMb: 128,
  uses: [],
});

/** The ledger's real paths, plus a few shapes that exercise API Gateway's precedence rules. */
const match = createRouteMatcher([
  route('GET', '/openapi.json'),
  route('POST', '/api/v1/replay/{run_id}/results'),
  route('GET', '/api/v1/replay/history'),
  route('GET', '/api/v1/replay/history/{run_id}'),
  route('GET', '/api/v1/replay/stats'),
  route('GET', '/items/{id}'),
  route('GET', '/items/special'),
  route('GET', '/files/{path+}'),
  route('GET', '/files/{dir}/index'),
  route('GET', '/x/{rest+}'),
  route('GET', '/{a}/{b}'),
]);

/** The matched route's method and path, and its parameters, or undefined. */
const found = (method: string, path: string) => {
  const m = match(method, path);
  return m && { route: `${m.route.method} ${m.route.path}`, params: m.pathParameters };
};

describe('the local route matcher (API Gateway HTTP API rules)', () => {
  it('prefers a literal segment to a {param}, whatever the order of the routes', () => {
    expect(found('GET', '/items/special')).toEqual({ route: 'GET /items/special', params: {} });
    expect(found('GET', '/items/42')).toEqual({ route: 'GET /items/{id}', params: { id: '42' } });
    expect(found('GET', '/api/v1/replay/history')).toEqual({ route: 'GET /api/v1/replay/history', params: {} });
    expect(found('GET', '/api/v1/replay/history/run-7')).toEqual({ route: 'GET /api/v1/replay/history/{run_id}', params: { run_id: 'run-7' } });
  });

  it('prefers {param} routes to a {proxy+} one, even one with more literal segments', () => {
    expect(found('GET', '/files/a/index')).toEqual({ route: 'GET /files/{dir}/index', params: { dir: 'a' } });
    expect(found('GET', '/x/y')).toEqual({ route: 'GET /{a}/{b}', params: { a: 'x', b: 'y' } });
  });

  it('lets {proxy+} take the rest of the path, slashes included, but not nothing', () => {
    expect(found('GET', '/files/a/b/c.txt')).toEqual({ route: 'GET /files/{path+}', params: { path: 'a/b/c.txt' } });
    expect(found('GET', '/x/y/z')).toEqual({ route: 'GET /x/{rest+}', params: { rest: 'y/z' } });
    expect(found('GET', '/files')).toBeUndefined();
  });

  it('ignores a trailing slash', () => {
    expect(found('GET', '/api/v1/replay/history/')).toEqual({ route: 'GET /api/v1/replay/history', params: {} });
    expect(found('GET', '/api/v1/replay/history/run-7/')?.params).toEqual({ run_id: 'run-7' });
  });

  it('never matches a {param} against an empty segment', () => {
    expect(found('POST', '/api/v1/replay//results')).toBeUndefined();
    expect(found('GET', '/items/')).toBeUndefined();
    expect(found('GET', '/items//')).toBeUndefined();
  });

  it('needs the method to match', () => {
    expect(found('POST', '/api/v1/replay/run-7/results')).toEqual({ route: 'POST /api/v1/replay/{run_id}/results', params: { run_id: 'run-7' } });
    expect(found('GET', '/api/v1/replay/run-7/results')).toBeUndefined();
    expect(found('DELETE', '/api/v1/replay/history')).toBeUndefined();
    expect(found('PUT', '/items/special')).toBeUndefined();
  });

  it('matches paths exactly: case-sensitive, with no regular-expression meaning in literals', () => {
    expect(found('GET', '/API/v1/replay/history')).toBeUndefined();
    expect(found('GET', '/openapi.json')?.route).toBe('GET /openapi.json');
    expect(found('GET', '/openapiXjson')).toBeUndefined();
  });

  it('URL-decodes path parameters', () => {
    expect(found('GET', '/api/v1/replay/history/run%3A1%20%C3%A9')?.params).toEqual({ run_id: 'run:1 é' });
    expect(found('GET', '/items/a%2Fb')?.params).toEqual({ id: 'a/b' });
    expect(found('GET', '/files/a%20b/c%23d')?.params).toEqual({ path: 'a b/c#d' });
  });

  it('keeps a malformed %-escape as it came instead of throwing', () => {
    expect(() => match('GET', '/items/%E0%A4%A')).not.toThrow();
    expect(found('GET', '/items/%E0%A4%A')?.params).toEqual({ id: '%E0%A4%A' });
    expect(found('GET', '/api/v1/replay/history/100%')?.params).toEqual({ run_id: '100%' });
  });

  it('matches an ANY route for every method, after a route of the method itself at the same path', () => {
    const withAny = createRouteMatcher([route('ANY', '/proxy/{token}/{proxy+}'), route('GET', '/proxy/{token}/health'), route('ANY', '/proxy/{token}')]);
    const of = (method: string, path: string) => {
      const m = withAny(method, path);
      return m && `${m.route.method} ${m.route.path}`;
    };
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']) expect(of(method, '/proxy/t/a/b'), method).toBe('ANY /proxy/{token}/{proxy+}');
    expect(of('GET', '/proxy/t/health')).toBe('GET /proxy/{token}/health');
    expect(of('POST', '/proxy/t/health')).toBe('ANY /proxy/{token}/{proxy+}');
    expect(of('DELETE', '/proxy/t')).toBe('ANY /proxy/{token}');
    expect(of('POST', '/proxy/t/')).toBe('ANY /proxy/{token}');
  });

  it("sends exactly /proxy to the Proxy page and every path below it to the recording proxy, with the catalogue's own routes", () => {
    const catalogue = createRouteMatcher(routes);
    const entry = (method: string, path: string) => catalogue(method, path)?.route.entry;
    expect(entry('GET', '/proxy')).toBe('functions/http/page/serve-page.ts');
    expect(entry('GET', '/proxy/')).toBe('functions/http/page/serve-page.ts');
    for (const method of ['GET', 'POST', 'DELETE']) {
      expect(entry(method, '/proxy/tok_123'), method).toBe('functions/http/proxy/forward.ts');
      expect(entry(method, '/proxy/tok_123/cart/items'), method).toBe('functions/http/proxy/forward.ts');
    }
    expect(catalogue('GET', '/proxy/tok_123/a/b')?.pathParameters).toEqual({ endpoint_token: 'tok_123', proxy: 'a/b' });
    // The page is read-only: other methods at /proxy reach no route (the fallback answers 405, Allow: GET).
    expect(catalogue('POST', '/proxy')).toBeUndefined();
  });
});

describe('the methods a path allows (for the 405 of the $default route)', () => {
  const allowed = createAllowedMethods([
    route('POST', '/things'),
    route('GET', '/things'),
    route('DELETE', '/things/{id}'),
    route('GET', '/things/special'),
    route('GET', '/pages/{proxy+}'),
  ]);

  it('lists every method of every route the path matches, in a fixed order', () => {
    expect(allowed('/things')).toEqual(['GET', 'POST']);
    expect(allowed('/things/')).toEqual(['GET', 'POST']);
    expect(allowed('/things/7')).toEqual(['DELETE']);
    expect(allowed('/things/special')).toEqual(['GET', 'DELETE']);
    expect(allowed('/pages/a/b')).toEqual(['GET']);
  });

  it('lists none for a path no route has', () => {
    expect(allowed('/nothing')).toEqual([]);
    expect(allowed('/things/7/more')).toEqual([]);
    expect(allowed('/pages/')).toEqual([]);
  });
});
