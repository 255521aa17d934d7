import { replayedHeaders } from '#shared/http/idempotency-key.ts';
import { httpRoute } from '#shared/http/route.ts';
import { replayRuns } from '#wiring/replay-runs.ts';
import { createRun } from './contract.ts';

export const handler = httpRoute(createRun, async ({ caller, body, header }) => {
  const { run, replayed } = await replayRuns.create(caller.projectId, body, header['idempotency-key']);
  return { status: 201, body: run, headers: replayedHeaders(replayed) };
});
