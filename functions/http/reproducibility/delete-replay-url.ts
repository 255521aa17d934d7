import { httpRoute } from '#shared/http/route.ts';
import { sessions } from '#wiring/reproducibility.ts';
import { deleteReplayUrl } from './contract.ts';

export const handler = httpRoute(deleteReplayUrl, async ({ caller, path }) => ({ status: 200, body: await sessions.updateAgent(caller.projectId, path.agent_id, { replay_url: null }) }));
