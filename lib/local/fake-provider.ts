import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { uniformAt } from '../../functions/core/replay-runs/seeded-random.ts';

/** How the fake answers (all of it may differ per model, see `models`). */
export interface FakeBehaviour {
  /** Time before the first token, ms. @default 200 */
  latencyMs: number;
  /** Tokens streamed per second after the first; 0 sends them all at once. @default 50 */
  tokensPerSecond: number;
  /**
   * What it answers: `echo` (the last user message), `model` (`<model> says: ` and the echo, so two
   * models differ), or `fixed:<text>`. Cut to `max_tokens` words. @default 'echo'
   */
  content: string;
  /** Share of requests answered with `failureStatus` instead (seeded, so a sequence repeats). @default 0 */
  failureRate: number;
  /** @default 500 */
  failureStatus: number;
}

export interface FakeProviderOptions extends Partial<FakeBehaviour> {
  port?: number;
  host?: string;
  /** When set, requests must carry `Authorization: Bearer <apiKey>` (401 otherwise). */
  apiKey?: string;
  /** Seeds the failure draws. @default 1 */
  seed?: number;
  /** Behaviour of particular models (the `model` field of a request), over the defaults. */
  models?: Record<string, Partial<FakeBehaviour>>;
}

/** One request as the fake saw it. */
export interface FakeRequestRecord {
  requestId: string | null;
  model: string;
  status: number;
  stream: boolean;
  promptTokens: number;
  completionTokens: number;
  authorized: boolean;
}

export interface FakeProvider {
  /** The base URL to configure: `http://host:port/v1`. */
  baseUrl: string;
  /** Every request, in arrival order. */
  requests: FakeRequestRecord[];
  /** Requests being answered right now, and the most at once. */
  inFlight(): { now: number; max: number };
  /** Changes the default behaviour from now on (tests: slow down, start failing). */
  setBehaviour(behaviour: Partial<FakeBehaviour>): void;
  stop(): Promise<void>;
}

const DEFAULTS: FakeBehaviour = { latencyMs: 200, tokensPerSecond: 50, content: 'echo', failureRate: 0, failureStatus: 500 };

/**
 * A local OpenAI-compatible chat completions server (`POST /v1/chat/completions`,
 * streamed or not, usage included) with configurable latency, token rate,
 * content and failure rate, for tests, benchmarks and trying full-fidelity
 * runs without a provider account. Token counts are words for the answer and
 * a quarter of the characters (plus 4 per message) for the prompt.
 */
export async function startFakeProvider(options: FakeProviderOptions = {}): Promise<FakeProvider> {
  const requests: FakeRequestRecord[] = [];
  let draws = 0;
  const seed = options.seed ?? 1;
  let current = 0;
  let max = 0;
  let overrides: Partial<FakeBehaviour> = {};
  const server: Server = createServer((request, response) => {
    current++;
    max = Math.max(max, current);
    handle(request, response)
      .catch(() => {
        if (!response.headersSent) response.writeHead(500).end();
        else response.destroy();
      })
      .finally(() => current--);
  });
  server.keepAliveTimeout = 30_000;

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? '/', 'http://fake');
    if (request.method !== 'POST' || !url.pathname.endsWith('/chat/completions')) return json(response, 404, { error: { message: 'Only POST /v1/chat/completions is served here', type: 'not_found' } });
    const body = await readJson(request);
    const model = typeof body?.model === 'string' ? body.model : '';
    const messages: { role: string; content: string }[] = Array.isArray(body?.messages) ? body.messages : [];
    const stream = body?.stream === true;
    const behaviour: FakeBehaviour = { ...DEFAULTS, ...definedOf(options), ...overrides, ...options.models?.[model] };
    const promptTokens = messages.reduce((sum, m) => sum + Math.ceil(String(m.content ?? '').length / 4) + 4, 0);
    const record: FakeRequestRecord = {
      requestId: (request.headers['x-request-id'] as string | undefined) ?? null,
      model,
      status: 200,
      stream,
      promptTokens,
      completionTokens: 0,
      authorized: !options.apiKey || request.headers.authorization === `Bearer ${options.apiKey}`,
    };
    requests.push(record);
    if (!record.authorized) return json(response, (record.status = 401), { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } });
    if (!model || messages.length === 0) return json(response, (record.status = 400), { error: { message: 'model and messages are required', type: 'invalid_request_error' } });

    await sleep(behaviour.latencyMs);
    if (behaviour.failureRate > 0 && uniformAt(seed, draws++) < behaviour.failureRate) {
      return json(response, (record.status = behaviour.failureStatus), { error: { message: 'The fake provider failed this request on purpose', type: 'server_error' } });
    }
    const maxTokens = typeof body?.max_tokens === 'number' && body.max_tokens > 0 ? body.max_tokens : Number.POSITIVE_INFINITY;
    const words = contentOf(behaviour.content, model, messages).split(/\s+/).filter(Boolean).slice(0, maxTokens);
    record.completionTokens = words.length;
    const usage = { prompt_tokens: promptTokens, completion_tokens: words.length, total_tokens: promptTokens + words.length, prompt_tokens_details: { cached_tokens: 0 } };
    const id = `chatcmpl-fake-${requests.length}`;
    if (!stream) {
      return json(response, 200, { id, object: 'chat.completion', model, choices: [{ index: 0, message: { role: 'assistant', content: words.join(' ') }, finish_reason: 'stop' }], usage });
    }
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const event = (chunk: unknown) => `data: ${JSON.stringify(chunk)}\n\n`;
    const gap = behaviour.tokensPerSecond > 0 ? 1000 / behaviour.tokensPerSecond : 0;
    // Without a token rate every event goes out in one write, as a fast server's would arrive.
    let pending = '';
    for (const [i, word] of words.entries()) {
      if (i > 0 && gap > 0) {
        response.write(pending);
        pending = '';
        await sleep(gap);
      }
      pending += event({ id, object: 'chat.completion.chunk', model, choices: [{ index: 0, delta: { content: i === 0 ? word : ` ${word}` }, finish_reason: null }] });
    }
    pending += event({ id, object: 'chat.completion.chunk', model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
    if (body?.stream_options?.include_usage) pending += event({ id, object: 'chat.completion.chunk', model, choices: [], usage });
    response.end(`${pending}data: [DONE]\n\n`);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  return {
    baseUrl: `http://${address.includes(':') ? `[${address}]` : address}:${port}/v1`,
    requests,
    inFlight: () => ({ now: current, max }),
    setBehaviour: (behaviour) => {
      overrides = { ...overrides, ...behaviour };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function contentOf(mode: string, model: string, messages: { role: string; content: string }[]): string {
  const lastUser = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  if (mode.startsWith('fixed:')) return mode.slice('fixed:'.length);
  if (mode === 'model') return `${model} says: ${lastUser}`;
  return lastUser;
}

function definedOf(options: FakeProviderOptions): Partial<FakeBehaviour> {
  const keys: (keyof FakeBehaviour)[] = ['latencyMs', 'tokensPerSecond', 'content', 'failureRate', 'failureStatus'];
  return Object.fromEntries(keys.filter((k) => options[k] !== undefined).map((k) => [k, options[k]]));
}

async function readJson(request: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

function json(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
