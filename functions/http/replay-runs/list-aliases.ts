import { httpRoute } from '#shared/http/route.ts';
import { replayRuns } from '#wiring/replay-runs.ts';
import { listAliases } from './contract.ts';

export const handler = httpRoute(listAliases, async ({ caller }) => ({ status: 200, body: await replayRuns.listAliases(caller.projectId) }));
