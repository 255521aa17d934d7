import { httpRoute } from '#shared/http/route.ts';
import { sessions } from '#wiring/reproducibility.ts';
import { updateAgent } from './contract.ts';

export const handler = httpRoute(updateAgent, async ({ caller, path, body }) => ({ status: 200, body: await sessions.updateAgent(caller.projectId, path.agent_id, body) }));
