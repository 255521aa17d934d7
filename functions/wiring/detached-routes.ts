import type { RouteDirectory } from '#core/detached-replay/ports.ts';
import { DETACHED_ROUTES_ENV } from '#lib/catalogue.ts';

/**
 * The routes as configured for this function: `{ name: { queue_url, projects? } }`
 * (one JSON env var, set for the functions granted `routes` access). Needs
 * no table, unlike the detached replay service.
 */
function routesFromEnv(): RouteDirectory {
  const raw = JSON.parse(process.env[DETACHED_ROUTES_ENV] ?? '{}') as Record<string, { queue_url: string; projects?: string[] }>;
  const routes = Object.entries(raw).map(([name, route]) => ({ name, queueUrl: route.queue_url, ...(route.projects ? { projects: route.projects } : {}) }));
  return { all: () => routes };
}

export const detachedRoutes = routesFromEnv();
