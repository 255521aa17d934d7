import { apiBaseUrl } from '#shared/http/base-url.ts';
import { httpRoute } from '#shared/http/route.ts';
import { sessionReplay } from '#wiring/session-replay.ts';
import { getEndpoint } from './contract.ts';

export const handler = httpRoute(getEndpoint, async ({ caller, path, event }) => ({
  status: 200,
  body: await sessionReplay.getEndpoint(caller.projectId, path.endpoint_id, apiBaseUrl(event)),
}));
