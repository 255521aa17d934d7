import { replayedHeaders } from '#shared/http/idempotency-key.ts';
import { httpRoute } from '#shared/http/route.ts';
import { reproducibility } from '#wiring/reproducibility.ts';
import { createRun } from './contract.ts';

export const handler = httpRoute(createRun, async ({ caller, body, header }) => {
  const { run, replayed } = await reproducibility.create(caller, body, header['idempotency-key']);
  return { status: 202, body: run, headers: replayedHeaders(replayed) };
});
