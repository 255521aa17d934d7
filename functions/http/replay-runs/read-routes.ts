import { httpRoute } from '#shared/http/route.ts';
import { routeKeyOf, routeTable } from '#shared/http/route-table.ts';
import { replayRuns } from '#wiring/replay-runs.ts';
import { getReport, getRun, getSettings, listAliases, listNamespaces, listRuns, listUsage } from './contract.ts';

/** The replay runs API's reads: one function, as they need the same (read) access to the replay table. */
export const handler = routeTable({
  [routeKeyOf(listRuns)]: httpRoute(listRuns, async ({ caller, query }) => ({ status: 200, body: await replayRuns.list(caller.projectId, query) })),
  [routeKeyOf(getRun)]: httpRoute(getRun, async ({ caller, path }) => ({ status: 200, body: await replayRuns.get(caller.projectId, path.replay_run_id) })),
  [routeKeyOf(getReport)]: httpRoute(getReport, async ({ caller, path }) => ({ status: 200, body: await replayRuns.report(caller.projectId, path.replay_run_id) })),
  [routeKeyOf(listAliases)]: httpRoute(listAliases, async ({ caller }) => ({ status: 200, body: await replayRuns.listAliases(caller.projectId) })),
  [routeKeyOf(listUsage)]: httpRoute(listUsage, async ({ caller, query }) => ({ status: 200, body: await replayRuns.listUsage(caller.projectId, query) })),
  [routeKeyOf(listNamespaces)]: httpRoute(listNamespaces, async ({ caller, query }) => ({ status: 200, body: await replayRuns.listNamespaces(caller.projectId, query) })),
  [routeKeyOf(getSettings)]: httpRoute(getSettings, async ({ caller }) => ({ status: 200, body: await replayRuns.getSettings(caller.projectId) })),
});
