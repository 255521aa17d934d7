import { replayedHeaders } from '#shared/http/idempotency-key.ts';
import { httpRoute } from '#shared/http/route.ts';
import { postResult } from './contract.ts';
import { ledger } from '#wiring/ledger.ts';

export const handler = httpRoute(postResult, async ({ caller, path, body, header }) => {
  const { submission, replayed } = await ledger.submit(caller.orgId, path.run_id, body, header['idempotency-key']);
  return { status: 201, body: submission, headers: replayedHeaders(replayed) };
});
