import { httpRoute } from '#shared/http/route.ts';
import { version } from '#shared/version.ts';
import { health } from './contract.ts';

export const handler = httpRoute(health, async () => ({ status: 200, body: { status: 'ok', version } }));
