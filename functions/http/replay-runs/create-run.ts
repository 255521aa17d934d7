import { replayedHeaders } from '#shared/http/idempotency-key.ts';
import { httpRoute } from '#shared/http/route.ts';
import { replayRuns } from '#wiring/replay-runs.ts';
import { createRun } from './contract.ts';

export const handler = httpRoute(createRun, async ({ caller, body, header }) => {
  const owner = { orgId: caller.orgId, projectId: caller.projectId };
  // A dry run creates nothing, so there is nothing for an Idempotency-Key to make happen once.
  if (body.dry_run) return { status: 200, body: await replayRuns.estimate(owner, body) };
  const { run, replayed } = await replayRuns.create(owner, body, header['idempotency-key']);
  return { status: 201, body: run, headers: replayedHeaders(replayed) };
});
