import { httpRoute } from '#shared/http/route.ts';
import { getStats } from './contract.ts';
import { ledger } from '#wiring/ledger.ts';

export const handler = httpRoute(getStats, async ({ caller }) => ({ status: 200, body: await ledger.stats(caller.orgId) }));
