import { listRoutes as listUsableRoutes } from '#core/detached-replay/routes.ts';
import { httpRoute } from '#shared/http/route.ts';
import { detachedRoutes } from '#wiring/detached-routes.ts';
import { listRoutes } from './contract.ts';

export const handler = httpRoute(listRoutes, async ({ caller }) => ({ status: 200, body: listUsableRoutes(detachedRoutes, caller.projectId) }));
