import { httpRoute } from '#shared/http/route.ts';
import { sessions } from '#wiring/reproducibility.ts';
import { listSessions } from './contract.ts';

export const handler = httpRoute(listSessions, async ({ caller, query }) => ({ status: 200, body: await sessions.list(caller.projectId, query) }));
