import { httpRoute } from '#shared/http/route.ts';
import { replayRuns } from '#wiring/replay-runs.ts';
import { createRun } from './contract.ts';

export const handler = httpRoute(createRun, async ({ caller, body }) => ({ status: 201, body: await replayRuns.create(caller.projectId, body) }));
