import { apiBaseUrl } from '#shared/http/base-url.ts';
import { httpRoute } from '#shared/http/route.ts';
import { sessionReplay } from '#wiring/session-replay.ts';
import { listEndpoints } from './contract.ts';

export const handler = httpRoute(listEndpoints, async ({ caller, query, event }) => ({
  status: 200,
  body: await sessionReplay.listEndpoints(caller.projectId, query, apiBaseUrl(event)),
}));
