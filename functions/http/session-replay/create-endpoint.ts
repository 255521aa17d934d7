import { apiBaseUrl } from '#shared/http/base-url.ts';
import { httpRoute } from '#shared/http/route.ts';
import { sessionReplay } from '#wiring/session-replay.ts';
import { createEndpoint } from './contract.ts';

export const handler = httpRoute(createEndpoint, async ({ caller, body, event }) => ({
  status: 201,
  body: await sessionReplay.createEndpoint(caller.projectId, body, apiBaseUrl(event)),
}));
