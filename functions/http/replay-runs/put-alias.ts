import { httpRoute } from '#shared/http/route.ts';
import { replayRuns } from '#wiring/replay-runs.ts';
import { putAlias } from './contract.ts';

export const handler = httpRoute(putAlias, async ({ caller, path, body }) => ({ status: 200, body: await replayRuns.putAlias(caller.projectId, path.name, body.releases) }));
