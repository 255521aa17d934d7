import { httpRoute } from '#shared/http/route.ts';
import { replayRuns } from '#wiring/replay-runs.ts';
import { getRun } from './contract.ts';

export const handler = httpRoute(getRun, async ({ caller, path }) => ({ status: 200, body: await replayRuns.get(caller.projectId, path.replay_run_id) }));
