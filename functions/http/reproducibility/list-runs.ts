import { httpRoute } from '#shared/http/route.ts';
import { reproducibility } from '#wiring/reproducibility.ts';
import { listRuns } from './contract.ts';

export const handler = httpRoute(listRuns, async ({ caller, query }) => ({ status: 200, body: await reproducibility.list(caller.projectId, query) }));
