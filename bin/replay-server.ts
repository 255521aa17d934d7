/**
 * `npm run replay-server -- --port 5001 --mode echo|random|openai [--delay-ms 0]`:
 * an example agent endpoint for reproducibility runs (see tools/replay-server).
 *   OPENAI_BASE_URL   for --mode openai (default https://api.openai.com/v1)
 *   OPENAI_API_KEY    for --mode openai
 *   OPENAI_MODEL      the model for user-path payloads (default gpt-4o-mini)
 */
import { parseArgs } from 'node:util';
import { startReplayServer, type ReplayServerMode } from '../tools/replay-server/server.ts';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '5001' }, host: { type: 'string', default: '127.0.0.1' }, mode: { type: 'string', default: 'echo' }, 'delay-ms': { type: 'string', default: '0' } },
});
const mode = values.mode as ReplayServerMode;
if (!['echo', 'random', 'openai'].includes(mode)) {
  console.error(`--mode must be echo, random or openai, not ${values.mode}`);
  process.exit(2);
}
const server = await startReplayServer({
  mode,
  port: Number(values.port),
  host: values.host,
  delayMs: Number(values['delay-ms']),
  openai: { baseUrl: process.env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1', apiKey: process.env.OPENAI_API_KEY ?? '', model: process.env.OPENAI_MODEL ?? 'gpt-4o-mini' },
});
console.log(`Replay server (${mode}) listening on ${server.url} — POST / or /replay`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void server.stop().then(() => process.exit(0)));
