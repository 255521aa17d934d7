import type { RouteSpec } from '../catalogue.ts';

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
 */
export function createRouteMatcher(routes: readonly RouteSpec[]) {
  const compiled = routes.map(compile);
  return (method: string, rawPath: string): RouteMatch | undefined => {
    const path = rawPath.length > 1 && rawPath.endsWith('/') ? rawPath.slice(0, -1) : rawPath;
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
