import { httpRoute } from '#shared/http/route.ts';
import { replayRuns } from '#wiring/replay-runs.ts';
import { listRuns } from './contract.ts';

export const handler = httpRoute(listRuns, async ({ caller, query }) => ({ status: 200, body: await replayRuns.list(caller.projectId, query) }));
