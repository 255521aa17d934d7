import { httpRoute } from '#shared/http/route.ts';
import { detachedReplay } from '#wiring/detached-replay.ts';
import { getExecution } from './contract.ts';

export const handler = httpRoute(getExecution, async ({ caller, path }) => ({ status: 200, body: await detachedReplay.get(caller.projectId, path.execution_id) }));
