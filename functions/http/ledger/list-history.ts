import { httpRoute } from '#shared/http/route.ts';
import { listHistory } from './contract.ts';
import { ledger } from '#wiring/ledger.ts';

export const handler = httpRoute(listHistory, async ({ caller, query }) => ({
  status: 200,
  body: await ledger.history(caller.orgId, query),
}));
