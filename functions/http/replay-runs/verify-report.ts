import { httpRoute } from '#shared/http/route.ts';
import { replayRuns } from '#wiring/replay-runs.ts';
import { verifyReport } from './contract.ts';

export const handler = httpRoute(verifyReport, async ({ body }) => ({ status: 200, body: await replayRuns.verify(body) }));
