import { httpRoute } from '#shared/http/route.ts';
import { routeKeyOf, routeTable } from '#shared/http/route-table.ts';
import { replayRuns } from '#wiring/replay-runs.ts';
import { purgeNamespace, putAlias, putSettings } from './contract.ts';

/** What a project sets for its runs (aliases, namespace generations, settings): one function, as they need the same access. */
export const handler = routeTable({
  [routeKeyOf(putAlias)]: httpRoute(putAlias, async ({ caller, path, body }) => ({ status: 200, body: await replayRuns.putAlias(caller.projectId, path.name, body.releases) })),
  [routeKeyOf(purgeNamespace)]: httpRoute(purgeNamespace, async ({ caller, path }) => ({ status: 200, body: await replayRuns.purgeNamespace(caller.projectId, path.name) })),
  [routeKeyOf(putSettings)]: httpRoute(putSettings, async ({ caller, body }) => ({ status: 200, body: await replayRuns.putSettings(caller.projectId, body) })),
});
