import { httpRoute } from '#shared/http/route.ts';
import { sessionReplay } from '#wiring/session-replay.ts';
import { deleteEndpoint } from './contract.ts';

export const handler = httpRoute(deleteEndpoint, async ({ caller, path, query }) => ({
  status: 200,
  body: await sessionReplay.deleteEndpoint(caller.projectId, path.endpoint_id, query.confirm),
}));
