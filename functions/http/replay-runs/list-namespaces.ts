import { httpRoute } from '#shared/http/route.ts';
import { replayRuns } from '#wiring/replay-runs.ts';
import { listNamespaces } from './contract.ts';

export const handler = httpRoute(listNamespaces, async ({ caller, query }) => ({ status: 200, body: await replayRuns.listNamespaces(caller.projectId, query) }));
