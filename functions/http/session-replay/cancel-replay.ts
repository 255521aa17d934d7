import { httpRoute } from '#shared/http/route.ts';
import { sessionReplay } from '#wiring/session-replay.ts';
import { cancelReplay } from './contract.ts';

export const handler = httpRoute(cancelReplay, async ({ caller, path }) => ({
  status: 200,
  body: await sessionReplay.cancelReplay(caller.projectId, path.endpoint_id, path.session_id, path.replay_id),
}));
