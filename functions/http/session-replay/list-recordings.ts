import { httpRoute } from '#shared/http/route.ts';
import { sessionReplay } from '#wiring/session-replay.ts';
import { listRecordings } from './contract.ts';

export const handler = httpRoute(listRecordings, async ({ caller, path, query }) => ({
  status: 200,
  body: await sessionReplay.listRecordings(caller.projectId, path.endpoint_id, query),
}));
