import { httpRoute } from '#shared/http/route.ts';
import { sessions } from '#wiring/reproducibility.ts';
import { getSession } from './contract.ts';

export const handler = httpRoute(getSession, async ({ caller, path }) => ({ status: 200, body: await sessions.get(caller.projectId, path.session_id) }));
