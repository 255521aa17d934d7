import { httpRoute } from '#shared/http/route.ts';
import { sessionReplay } from '#wiring/session-replay.ts';
import { listSessions } from './contract.ts';

export const handler = httpRoute(listSessions, async ({ caller, path, query }) => ({
  status: 200,
  body: await sessionReplay.listSessions(caller.projectId, path.endpoint_id, query),
}));
