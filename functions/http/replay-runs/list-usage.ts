import { httpRoute } from '#shared/http/route.ts';
import { replayRuns } from '#wiring/replay-runs.ts';
import { listUsage } from './contract.ts';

export const handler = httpRoute(listUsage, async ({ caller, query }) => ({ status: 200, body: await replayRuns.listUsage(caller.projectId, query) }));
