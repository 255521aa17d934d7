import { httpRoute } from '#shared/http/route.ts';
import { detachedReplay } from '#wiring/detached-replay.ts';
import { listRoutes } from './contract.ts';

export const handler = httpRoute(listRoutes, async ({ caller }) => ({ status: 200, body: detachedReplay.routes(caller.projectId) }));
