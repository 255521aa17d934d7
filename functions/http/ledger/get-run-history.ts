import { httpRoute } from '#shared/http/route.ts';
import { getRunHistory } from './contract.ts';
import { ledger } from '#wiring/ledger.ts';

export const handler = httpRoute(getRunHistory, async ({ caller, path, query }) => ({
  status: 200,
  body: await ledger.runHistory(caller.orgId, path.run_id, query),
}));
