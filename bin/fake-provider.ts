/**
 * `npm run fake-provider -- [--port 5002] [--latency-ms 200] [--tokens-per-second 50]
 *   [--content echo|model|fixed:<text>] [--failure-rate 0] [--failure-status 500] [--api-key KEY] [--seed 1]
 *   [--model name=latencyMs:300,failureRate:0.1 …]`
 *
 * A local OpenAI-compatible provider for full-fidelity runs: configure it in
 * DATA_DIR/providers.json as {"<provider>": {"base_url": "http://127.0.0.1:5002/v1", "api_key": "KEY"}}.
 */
import { parseArgs } from 'node:util';
import { startFakeProvider, type FakeBehaviour } from '../lib/local/fake-provider.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '5002' },
    host: { type: 'string', default: '127.0.0.1' },
    'latency-ms': { type: 'string' },
    'tokens-per-second': { type: 'string' },
    content: { type: 'string' },
    'failure-rate': { type: 'string' },
    'failure-status': { type: 'string' },
    'api-key': { type: 'string' },
    seed: { type: 'string' },
    model: { type: 'string', multiple: true },
  },
});

const number = (name: string, value: string | undefined, min: number, max: number) => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number from ${min} to ${max}`);
  return n;
};

/** `name=latencyMs:300,failureRate:0.1`: behaviour of one model. */
function modelOption(text: string): [string, Partial<FakeBehaviour>] {
  const [name, settings = ''] = text.split('=', 2) as [string, string?];
  const behaviour: Record<string, string | number> = {};
  for (const pair of settings.split(',').filter(Boolean)) {
    const [key, value = ''] = pair.split(':', 2) as [string, string?];
    if (!['latencyMs', 'tokensPerSecond', 'content', 'failureRate', 'failureStatus'].includes(key)) throw new Error(`--model ${name}: unknown setting ${key}`);
    behaviour[key] = key === 'content' ? value : Number(value);
  }
  return [name, behaviour as Partial<FakeBehaviour>];
}

const definedOnly = <T extends Record<string, unknown>>(object: T) => Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as Partial<T>;
const fake = await startFakeProvider(
  definedOnly({
    port: number('port', values.port, 0, 65_535),
    host: values.host,
    latencyMs: number('latency-ms', values['latency-ms'], 0, 600_000),
    tokensPerSecond: number('tokens-per-second', values['tokens-per-second'], 0, 1_000_000),
    content: values.content,
    failureRate: number('failure-rate', values['failure-rate'], 0, 1),
    failureStatus: number('failure-status', values['failure-status'], 400, 599),
    apiKey: values['api-key'],
    seed: number('seed', values.seed, 0, 2 ** 31),
    models: values.model ? Object.fromEntries(values.model.map(modelOption)) : undefined,
  }),
);
console.log(`Fake OpenAI-compatible provider at ${fake.baseUrl} (POST /chat/completions). Ctrl-C stops it.`);
const stop = () => void fake.stop().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
