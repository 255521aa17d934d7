import { httpRoute } from '#shared/http/route.ts';
import { detachedReplay } from '#wiring/detached-replay.ts';
import { listExecutions } from './contract.ts';

export const handler = httpRoute(listExecutions, async ({ caller, query }) => ({ status: 200, body: await detachedReplay.list(caller.projectId, query) }));
