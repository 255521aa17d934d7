import { httpRoute } from '#shared/http/route.ts';
import { reproducibility } from '#wiring/reproducibility.ts';
import { getRun } from './contract.ts';

export const handler = httpRoute(getRun, async ({ caller, path }) => ({ status: 200, body: await reproducibility.get(caller.projectId, path.run_id) }));
