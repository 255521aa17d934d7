import { httpRoute } from '#shared/http/route.ts';
import { sessionReplay } from '#wiring/session-replay.ts';
import { listReplays } from './contract.ts';

export const handler = httpRoute(listReplays, async ({ caller, path, query }) => ({
  status: 200,
  body: await sessionReplay.listReplays(caller.projectId, path.endpoint_id, path.session_id, query),
}));
