import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProviderBroker } from '../../../functions/adapters/providers/provider-broker.ts';
import { parseProviderConfig, type ProviderConfig } from '../../../functions/adapters/providers/provider-config.ts';
import type { ChatRequest } from '../../../functions/core/replay-runs/full-fidelity/broker.ts';

/** A local server whose answer each test sets; it records what it received. */
async function server() {
  const seen: { url: string; headers: IncomingMessage['headers']; body: any }[] = [];
  let connections = 0;
  let answer: (request: IncomingMessage, response: ServerResponse) => void = (_, response) => response.end();
  const http: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    seen.push({ url: request.url ?? '', headers: request.headers, body: chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined });
    answer(request, response);
  });
  http.on('connection', () => connections++);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    seen,
    connections: () => connections,
    answer: (fn: typeof answer) => {
      answer = fn;
    },
    stop: () => new Promise<void>((resolve) => { http.closeAllConnections(); http.close(() => resolve()); }),
  };
}

const KEY = 'sk-broker-test-secret';
let provider: Awaited<ReturnType<typeof server>>;
let elsewhere: Awaited<ReturnType<typeof server>>;
let config: ProviderConfig;
beforeAll(async () => {
  provider = await server();
  elsewhere = await server();
  config = { openai: { base_url: `${provider.origin}/v1/`, api_key: KEY } };
});
afterAll(async () => {
  await provider.stop();
  await elsewhere.stop();
});

const broker = (options = {}) => createProviderBroker(async () => config, options);
const request = (overrides: Partial<ChatRequest> = {}): ChatRequest => ({
  provider: 'openai',
  model: 'gpt-4o',
  messages: [{ role: 'user', content: 'hi' }],
  maxOutputTokens: 16,
  timeoutMs: 2_000,
  requestId: 'rpl_x:0:0:baseline:1',
  ...overrides,
});
const sse = (response: ServerResponse, events: unknown[]) => {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const event of events) response.write(`data: ${typeof event === 'string' ? event : JSON.stringify(event)}\n\n`);
  response.end();
};

describe('the provider broker', () => {
  it("streams a chat completion from the configured provider's /chat/completions, with its key, and measures TTFT", async () => {
    provider.answer((_, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`data: ${JSON.stringify({ model: 'gpt-4o-2024-08-06', choices: [{ delta: { role: 'assistant' } }] })}\n\n`);
      setTimeout(() => {
        response.write(`data: ${JSON.stringify({ choices: [{ delta: { content: 'Hello' } }] })}\r\n\r\n`);
        response.write(`data: ${JSON.stringify({ choices: [{ delta: { content: ' there' } }] })}\n\n`);
        response.write(`data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 9, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 4 } } })}\n\n`);
        response.end('data: [DONE]\n\n');
      }, 60);
    });

    const result = await broker().complete(request());

    expect(result).toMatchObject({ ok: true, content: 'Hello there', usage: { inputTokens: 9, outputTokens: 2, cachedInputTokens: 4 }, servedModel: 'gpt-4o-2024-08-06' });
    if (!result.ok) throw new Error('unreachable');
    expect(result.ttftMs).toBeGreaterThanOrEqual(55);
    expect(result.latencyMs).toBeGreaterThanOrEqual(result.ttftMs!);
    const sent = provider.seen.at(-1)!;
    expect(sent.url).toBe('/v1/chat/completions');
    expect(sent.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(sent.headers['x-request-id']).toBe('rpl_x:0:0:baseline:1');
    expect(sent.body).toEqual({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], max_tokens: 16, stream: true, stream_options: { include_usage: true } });
  });

  it('keeps its connection to a provider open from one request to the next', async () => {
    provider.answer((_, response) => sse(response, [{ choices: [{ delta: { content: 'hi' } }] }, { choices: [], usage: { prompt_tokens: 1, completion_tokens: 1 } }, '[DONE]']));
    const client = broker();
    const before = provider.connections();

    const results = [];
    for (let i = 0; i < 5; i++) results.push(await client.complete(request()));

    expect(results.every((r) => r.ok)).toBe(true);
    expect(provider.connections() - before).toBe(1);
  });

  it('reads an answer that was not streamed (no TTFT)', async () => {
    provider.answer((_, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ model: 'm', choices: [{ message: { content: 'ok' } }], usage: { prompt_tokens: 3, completion_tokens: 1 } }));
    });

    expect(await broker().complete(request())).toMatchObject({ ok: true, content: 'ok', ttftMs: null, usage: { inputTokens: 3, outputTokens: 1, cachedInputTokens: 0 } });
  });

  it('follows no redirect: the other host is never contacted', async () => {
    provider.answer((_, response) => response.writeHead(307, { location: `${elsewhere.origin}/v1/chat/completions` }).end());
    const before = elsewhere.seen.length;

    const result = await broker().complete(request());

    expect(result).toMatchObject({ ok: false, reason: 'redirect', retryable: false });
    expect(elsewhere.seen.length).toBe(before);
  });

  it('says which errors are worth retrying, honours Retry-After, and never repeats the key', async () => {
    provider.answer((_, response) => response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '2' }).end(JSON.stringify({ error: { message: `Rate limit for key ${KEY} (Bearer ${KEY})` } })));
    const limited = await broker().complete(request());
    provider.answer((_, response) => response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'bad model' } })));
    const refused = await broker().complete(request());

    expect(limited).toMatchObject({ ok: false, reason: 'http_429', retryable: true, retryAfterMs: 2_000 });
    expect(JSON.stringify(limited)).not.toContain(KEY);
    expect(limited.ok === false && limited.message).toMatch(/answered 429: Rate limit for key \[redacted\]/);
    expect(refused).toMatchObject({ ok: false, reason: 'http_400', retryable: false, message: expect.stringContaining('bad model') });
  });

  it('gives up on an answer past its time limit or its size cap, and on a provider that is down', async () => {
    provider.answer(() => undefined); // never answers
    const slow = await broker().complete(request({ timeoutMs: 150 }));
    provider.answer((_, response) => sse(response, [{ choices: [{ delta: { content: 'x'.repeat(5_000) } }] }, '[DONE]']));
    const large = await broker({ maxResponseBytes: 1_000 }).complete(request());
    config = { ...config, down: { base_url: 'http://127.0.0.1:1/v1', api_key: '' } };
    const down = await broker().complete(request({ provider: 'down' }));

    expect(slow).toMatchObject({ ok: false, reason: 'timeout', retryable: true });
    expect(large).toMatchObject({ ok: false, reason: 'too_large', retryable: false });
    expect(down).toMatchObject({ ok: false, reason: 'network', retryable: true });
  });

  it('calls only configured providers, and lists them', async () => {
    const before = provider.seen.length;

    expect(await broker().complete(request({ provider: 'mystery' }))).toMatchObject({ ok: false, reason: 'provider_not_configured' });
    expect(provider.seen.length).toBe(before);
    expect([...(await broker().configured())].sort()).toEqual(Object.keys(config).sort());
  });

  it('refuses a provider document with a bad base_url or provider name, naming where', () => {
    expect(() => parseProviderConfig('{"openai": {"base_url": "ftp://x", "api_key": "k"}}', 'providers.json')).toThrow(/providers.json: openai.base_url: base_url must be an http\(s\) URL/);
    expect(() => parseProviderConfig('{"Open AI": {"base_url": "https://x", "api_key": "k"}}', 'providers.json')).toThrow(/provider names/);
    expect(() => parseProviderConfig('{"openai": {"base_url": "https://user:pw@x", "api_key": "k"}}', 'p')).toThrow(/without credentials/);
    expect(() => parseProviderConfig('nope', 'p')).toThrow(/p is not JSON/);
    expect(parseProviderConfig('{"local": {"base_url": "http://10.0.0.5:8000/v1", "api_key": ""}}', 'p')).toEqual({ local: { base_url: 'http://10.0.0.5:8000/v1', api_key: '' } });
  });
});
