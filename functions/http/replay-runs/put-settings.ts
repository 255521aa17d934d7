import { httpRoute } from '#shared/http/route.ts';
import { replayRuns } from '#wiring/replay-runs.ts';
import { putSettings } from './contract.ts';

export const handler = httpRoute(putSettings, async ({ caller, body }) => ({ status: 200, body: await replayRuns.putSettings(caller.projectId, body) }));
