import { httpRoute } from '#shared/http/route.ts';
import { sessionReplay } from '#wiring/session-replay.ts';
import { getReplay } from './contract.ts';

export const handler = httpRoute(getReplay, async ({ caller, path, query }) => ({
  status: 200,
  body: await sessionReplay.getReplay(caller.projectId, path.endpoint_id, path.session_id, path.replay_id, query),
}));
