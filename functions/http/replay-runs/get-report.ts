import { httpRoute } from '#shared/http/route.ts';
import { replayRuns } from '#wiring/replay-runs.ts';
import { getReport } from './contract.ts';

export const handler = httpRoute(getReport, async ({ caller, path }) => ({ status: 200, body: await replayRuns.report(caller.projectId, path.replay_run_id) }));
