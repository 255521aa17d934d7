import { httpRoute } from '#shared/http/route.ts';
import { sessionReplay } from '#wiring/session-replay.ts';
import { importHar } from './contract.ts';

export const handler = httpRoute(importHar, async ({ caller, path, body }) => ({
  status: 201,
  body: await sessionReplay.importHar(caller.projectId, path.endpoint_id, body.log.entries),
}));
