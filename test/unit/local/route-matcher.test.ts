import { describe, expect, it } from 'vitest';
import type { RouteSpec } from '../../../lib/catalogue.ts';
import { createRouteMatcher } from '../../../lib/local/route-matcher.ts';

const route = (method: RouteSpec['method'], path: string): RouteSpec => ({ method, path, entry: path, auth: false, timeoutSeconds: 1, memoryMb: 128, uses: [] });
const match = createRouteMatcher([
  route('GET', '/items/{id}'),
  route('GET', '/items/special'),
  route('GET', '/files/{path+}'),
  route('GET', '/files/{dir}/index'),
  route('POST', '/items/{id}/results'),
  route('GET', '/history'),
]);
const found = (method: string, path: string) => {
  const m = match(method, path);
  return m && { path: m.route.path, params: m.pathParameters };
};

describe('the local route matcher (API Gateway HTTP API rules)', () => {
  it('prefers literal segments over parameters, and parameters over greedy ones', () => {
    expect(found('GET', '/items/special')).toEqual({ path: '/items/special', params: {} });
    expect(found('GET', '/items/42')).toEqual({ path: '/items/{id}', params: { id: '42' } });
    expect(found('GET', '/files/a/index')).toEqual({ path: '/files/{dir}/index', params: { dir: 'a' } });
    expect(found('GET', '/files/a/b/c.txt')).toEqual({ path: '/files/{path+}', params: { path: 'a/b/c.txt' } });
  });

  it('ignores a trailing slash and never matches an empty parameter', () => {
    expect(found('GET', '/history/')?.path).toBe('/history');
    expect(found('GET', '/items/')).toBeUndefined();
    expect(found('GET', '/items//results')).toBeUndefined();
  });

  it('needs the method to match', () => {
    expect(found('DELETE', '/items/1')).toBeUndefined();
    expect(found('POST', '/items/1/results')?.path).toBe('/items/{id}/results');
  });

  it('decodes parameters, and keeps a malformed escape as it came', () => {
    expect(found('GET', '/items/run%3A1%20x')?.params).toEqual({ id: 'run:1 x' });
    expect(found('GET', '/items/%E0%A4%A')?.params).toEqual({ id: '%E0%A4%A' });
  });
});
