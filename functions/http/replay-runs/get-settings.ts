import { httpRoute } from '#shared/http/route.ts';
import { replayRuns } from '#wiring/replay-runs.ts';
import { getSettings } from './contract.ts';

export const handler = httpRoute(getSettings, async ({ caller }) => ({ status: 200, body: await replayRuns.getSettings(caller.projectId) }));
