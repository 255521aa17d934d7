import { httpRoute } from '#shared/http/route.ts';
import { getDailyStats } from './contract.ts';
import { ledger } from '#wiring/ledger.ts';

export const handler = httpRoute(getDailyStats, async ({ caller, query }) => ({ status: 200, body: await ledger.dailyStats(caller.orgId, query) }));
