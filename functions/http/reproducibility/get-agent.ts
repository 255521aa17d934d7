import { httpRoute } from '#shared/http/route.ts';
import { sessions } from '#wiring/reproducibility.ts';
import { getAgent } from './contract.ts';

export const handler = httpRoute(getAgent, async ({ caller, path }) => ({ status: 200, body: await sessions.getAgent(caller.projectId, path.agent_id) }));
