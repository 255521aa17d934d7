import { httpRoute } from '#shared/http/route.ts';
import { replayRuns } from '#wiring/replay-runs.ts';
import { recordUsage } from './contract.ts';

export const handler = httpRoute(recordUsage, async ({ caller, body }) => ({ status: 201, body: await replayRuns.recordUsage(caller.projectId, body.events) }));
