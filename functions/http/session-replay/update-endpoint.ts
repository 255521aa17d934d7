import { apiBaseUrl } from '#shared/http/base-url.ts';
import { httpRoute } from '#shared/http/route.ts';
import { sessionReplay } from '#wiring/session-replay.ts';
import { updateEndpoint } from './contract.ts';

export const handler = httpRoute(updateEndpoint, async ({ caller, path, body, event }) => ({
  status: 200,
  body: await sessionReplay.updateEndpoint(caller.projectId, path.endpoint_id, body, apiBaseUrl(event)),
}));
