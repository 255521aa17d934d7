import { httpRoute } from '#shared/http/route.ts';
import { reproducibility } from '#wiring/reproducibility.ts';
import { cancelRun } from './contract.ts';

export const handler = httpRoute(cancelRun, async ({ caller, path }) => ({ status: 200, body: await reproducibility.cancel(caller.projectId, path.run_id) }));
