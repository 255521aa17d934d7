import { httpRoute } from '#shared/http/route.ts';
import { sessions } from '#wiring/reproducibility.ts';
import { appendEvents } from './contract.ts';

export const handler = httpRoute(appendEvents, async ({ caller, path, body, header }) => ({
  status: 200,
  body: await sessions.append(caller.projectId, path.session_id, body.events, header['idempotency-key']),
}));
