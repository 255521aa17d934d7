/**
 * `npm start`: the whole Reprise platform on this machine (see lib/local/platform.ts).
 *   PORT                             HTTP port (default 3000)
 *   HOST                             interface to listen on (default 127.0.0.1)
 *   DATA_DIR                         where data persists (default .data)
 *   REPRISE_ALLOW_LOOPBACK_TARGETS   "true" lets replay/proxy targets be 127.0.0.1 / ::1 (default off)
 */
import { resolve } from 'node:path';
import { startPlatform } from '../lib/local/platform.ts';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const dataDir = resolve(process.env.DATA_DIR ?? '.data');
const allowLoopbackTargets = process.env.REPRISE_ALLOW_LOOPBACK_TARGETS === 'true';

const started = Date.now();
const platform = await startPlatform({ dataDir, port, host, allowLoopbackTargets }).catch((error: unknown) => {
  console.error(`Reprise could not start: ${(error as Error).message}`);
  process.exit(1);
});

console.log(`Reprise is up at ${platform.endpoints.api} (started in ${((Date.now() - started) / 1000).toFixed(1)} s, data in ${dataDir})`);
console.log('Create an API key:  npm run api-key -- create --project my-project --org my-org');
console.log(`The Replay Hub page: ${platform.endpoints.api}/replay`);
console.log(`The Proxy page: ${platform.endpoints.api}/proxy`);
console.log(`AWS endpoints for the SDK/CLI: ${resolve(dataDir, 'endpoints.json')}`);
if (allowLoopbackTargets) console.log('Loopback replay/proxy targets are allowed (REPRISE_ALLOW_LOOPBACK_TARGETS=true).');

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('Stopping Reprise…');
    platform.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
