import { replayedHeaders } from '#shared/http/idempotency-key.ts';
import { httpRoute } from '#shared/http/route.ts';
import { sessions } from '#wiring/reproducibility.ts';
import { createSession } from './contract.ts';

export const handler = httpRoute(createSession, async ({ caller, body }) => {
  const { session, replayed } = await sessions.create(caller.projectId, body);
  return { status: 201, body: session, headers: replayedHeaders(replayed) };
});
