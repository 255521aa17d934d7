import { httpRoute } from '#shared/http/route.ts';
import { getMe } from './contract.ts';

export const handler = httpRoute(getMe, async ({ caller }) => ({
  status: 200,
  body: { org_id: caller.orgId, project_id: caller.projectId, project_name: caller.projectName, key_id: caller.keyId },
}));
