import { httpRoute } from '#shared/http/route.ts';
import { detachedReplay } from '#wiring/detached-replay.ts';
import { startReplay } from './contract.ts';

export const handler = httpRoute(startReplay, async ({ caller, body }) => {
  const { view, complete } = await detachedReplay.start({ orgId: caller.orgId, projectId: caller.projectId, keyId: caller.keyId }, body);
  return { status: complete ? 200 : 202, body: view };
});
