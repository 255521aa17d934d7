import { httpRoute } from '#shared/http/route.ts';
import { replayRuns } from '#wiring/replay-runs.ts';
import { purgeNamespace } from './contract.ts';

export const handler = httpRoute(purgeNamespace, async ({ caller, path }) => ({ status: 200, body: await replayRuns.purgeNamespace(caller.projectId, path.name) }));
