import { httpRoute } from '#shared/http/route.ts';
import { replayRuns } from '#wiring/replay-runs.ts';
import { cancelRun } from './contract.ts';

export const handler = httpRoute(cancelRun, async ({ caller, path }) => ({ status: 200, body: await replayRuns.cancel(caller.projectId, path.replay_run_id) }));
