import type { HttpMethod, RouteSpec } from './catalogue.ts';

export interface RouteMatch {
  route: RouteSpec;
  pathParameters: Record<string, string>;
}

interface CompiledRoute {
  route: RouteSpec;
  pattern: RegExp;
  names: string[];
  literalSegments: number;
  greedy: boolean;
}

/**
 * Matches requests to routes the way API Gateway HTTP APIs do: literal
 * segments win over `{param}`, `{param+}` is the last resort, a trailing
 * slash is ignored, and the method must match (otherwise `$default`); an
 * `ANY` route matches every method, after a route of the method itself.
 * Shared by the local gateway and the `$default` function (which answers 405).
 */
export function createRouteMatcher(routes: readonly RouteSpec[]) {
  const compiled = routes.map(compile);
  return (method: string, rawPath: string): RouteMatch | undefined => {
    const path = withoutTrailingSlash(rawPath);
    let best: { compiled: CompiledRoute; values: string[] } | undefined;
    for (const candidate of compiled) {
      if (candidate.route.method !== method && candidate.route.method !== 'ANY') continue;
      const match = candidate.pattern.exec(path);
      if (!match) continue;
      if (!best || moreSpecific(candidate, best.compiled)) best = { compiled: candidate, values: match.slice(1) };
    }
    if (!best) return undefined;
    const pathParameters: Record<string, string> = {};
    best.compiled.names.forEach((name, i) => {
      pathParameters[name] = safeDecode(best.values[i] ?? '');
    });
    return { route: best.compiled.route, pathParameters };
  };
}

/**
 * The methods some route answers on this path, in a stable order (for an
 * `Allow` header); none for a path no route has.
 */
export function createAllowedMethods(routes: readonly RouteSpec[]) {
  const compiled = routes.map(compile);
  return (rawPath: string): HttpMethod[] => {
    const path = withoutTrailingSlash(rawPath);
    const methods = new Set(compiled.filter((candidate) => candidate.pattern.test(path)).map((candidate) => candidate.route.method));
    return METHOD_ORDER.filter((method) => methods.has(method));
  };
}

const METHOD_ORDER: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

function withoutTrailingSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function compile(route: RouteSpec): CompiledRoute {
  const names: string[] = [];
  let literalSegments = 0;
  let greedy = false;
  const source = route.path
    .split('/')
    .map((segment) => {
      const param = /^\{([A-Za-z0-9_]+)(\+?)\}$/.exec(segment);
      if (!param) {
        if (segment) literalSegments++;
        return escapeRegExp(segment);
      }
      names.push(param[1]!);
      if (param[2]) {
        greedy = true;
        return '(.+)';
      }
      return '([^/]+)';
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}$`), names, literalSegments, greedy };
}

function moreSpecific(a: CompiledRoute, b: CompiledRoute): boolean {
  if (a.greedy !== b.greedy) return !a.greedy;
  if (a.literalSegments !== b.literalSegments) return a.literalSegments > b.literalSegments;
  return a.route.method !== 'ANY' && b.route.method === 'ANY';
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
