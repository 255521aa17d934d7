import { httpRoute } from '#shared/http/route.ts';
import { sessionReplay } from '#wiring/session-replay.ts';
import { createReplay } from './contract.ts';

export const handler = httpRoute(createReplay, async ({ caller, path, body }) => ({
  status: 202,
  body: await sessionReplay.createReplay(caller, path.endpoint_id, path.session_id, body),
}));
