/**
 * `npm start`: the whole Reprise platform on this machine (see lib/local/platform.ts).
 */
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PortInUseError } from '../lib/local/free-port.ts';
import { startPlatform, type Platform } from '../lib/local/platform.ts';

const usage = `Usage: npm start

Runs the whole Reprise platform on this machine: DynamoDB Local, SQS and S3
emulators, and the API on http://HOST:PORT. Ctrl-C stops everything.

Settings (environment variables):
  PORT                             HTTP port (default 3000; 0 picks a free one)
  HOST                             interface to listen on (default 127.0.0.1)
  DATA_DIR                         where data persists (default .data)
  REPRISE_ALLOW_LOOPBACK_TARGETS   "true" lets replay/proxy targets be 127.0.0.1 / ::1 (default off)
  LOG_LEVEL                        the handlers' log level (default WARN)`;

const { values } = parseArgs({ options: { help: { type: 'boolean', short: 'h' } }, strict: false });
if (values.help) {
  console.log(usage);
  process.exit(0);
}

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const dataDir = resolve(process.env.DATA_DIR ?? '.data');
const allowLoopbackTargets = process.env.REPRISE_ALLOW_LOOPBACK_TARGETS === 'true';

let stopping = false;
let platform: Platform | undefined;
/** Stops everything this process started, then exits with `code`. */
function shutDown(code: number): void {
  if (stopping) return;
  stopping = true;
  void (platform?.stop() ?? Promise.resolve()).then(
    () => process.exit(code),
    () => process.exit(1),
  );
}

const started = Date.now();
platform = await startPlatform({
  dataDir,
  port,
  host,
  allowLoopbackTargets,
  onFatal: (message) => {
    console.error(`Reprise stopped: ${message}`);
    shutDown(1);
  },
}).catch((error: unknown) => {
  console.error(error instanceof PortInUseError ? error.message : `Reprise could not start: ${(error as Error).message}`);
  process.exit(1);
});

console.log(`Reprise is up at ${platform.endpoints.api} (started in ${((Date.now() - started) / 1000).toFixed(1)} s, data in ${dataDir})`);
console.log(`Create an API key:  ${apiKeyCommand(dataDir)}`);
console.log(`The Replay Hub page: ${platform.endpoints.api}/replay`);
console.log(`The Reproducibility page: ${platform.endpoints.api}/reproducibility`);
console.log(`The Proxy page: ${platform.endpoints.api}/proxy`);
console.log(`AWS endpoints for the SDK/CLI: ${resolve(dataDir, 'endpoints.json')}`);
if (allowLoopbackTargets) console.log('Loopback replay/proxy targets are allowed (REPRISE_ALLOW_LOOPBACK_TARGETS=true).');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    console.log('Stopping Reprise…');
    shutDown(0);
  });
}

/** The command that makes a key for this platform: with DATA_DIR when it is not the default. */
function apiKeyCommand(dir: string): string {
  const command = 'npm run api-key -- create --org my-org --project my-project';
  if (dir === resolve('.data')) return command;
  const shown = relative(process.cwd(), dir);
  const path = shown && !shown.startsWith('..') ? shown : dir;
  return `DATA_DIR=${shellQuote(path)} ${command}`;
}

function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./:@%+=-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}
