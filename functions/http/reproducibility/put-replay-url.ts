import { httpRoute } from '#shared/http/route.ts';
import { sessions } from '#wiring/reproducibility.ts';
import { putReplayUrl } from './contract.ts';

export const handler = httpRoute(putReplayUrl, async ({ caller, path, body }) => ({
  status: 200,
  body: await sessions.updateAgent(caller.projectId, path.agent_id, { replay_url: body.replay_url }),
}));
