import { httpRoute } from '#shared/http/route.ts';
import { reproducibility } from '#wiring/reproducibility.ts';
import { getAttempt } from './contract.ts';

export const handler = httpRoute(getAttempt, async ({ caller, path }) => ({ status: 200, body: await reproducibility.attemptOutput(caller.projectId, path.run_id, path.index) }));
