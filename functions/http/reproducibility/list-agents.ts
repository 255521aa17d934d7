import { httpRoute } from '#shared/http/route.ts';
import { sessions } from '#wiring/reproducibility.ts';
import { listAgents } from './contract.ts';

export const handler = httpRoute(listAgents, async ({ caller, query }) => ({ status: 200, body: await sessions.listAgents(caller.projectId, query) }));
