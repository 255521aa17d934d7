import { httpRoute } from '#shared/http/route.ts';
import { sessionReplay } from '#wiring/session-replay.ts';
import { getSession } from './contract.ts';

export const handler = httpRoute(getSession, async ({ caller, path, query }) => ({
  status: 200,
  body: await sessionReplay.getSession(caller.projectId, path.endpoint_id, path.session_id, query),
}));
