import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { ChatBroker, ChatRequest, ChatResult, ChatUsage, ProviderDirectory } from '#core/replay-runs/full-fidelity/broker.ts';
import type { ProviderConfig } from './provider-config.ts';

export interface ProviderBrokerOptions {
  /** Largest answer read, streamed or not. @default 8 MiB */
  maxResponseBytes?: number;
  /** Largest error body read for its message. @default 4 KiB */
  maxErrorBytes?: number;
}

/**
 * The provider broker: speaks the OpenAI-compatible chat completions API to
 * the providers the operator configured, and to nothing else. The URL of a
 * call is the configured base URL of the target's provider plus
 * `/chat/completions`, never anything from an API request, and the request
 * goes out only when its origin is a configured one. Redirects are not
 * followed (an answer 3xx fails the request), every attempt has a time limit,
 * answers are read up to a size cap, and the key travels only in the
 * Authorization header: error messages carry the host, the status and the
 * provider's own message with the key removed, never a header. Configured
 * hosts may be private (a model server in the VPC), which is why this is not
 * the SSRF-guarded client of user URLs.
 */
export function createProviderBroker(load: () => Promise<ProviderConfig>, options: ProviderBrokerOptions = {}): ChatBroker & ProviderDirectory {
  const maxResponseBytes = options.maxResponseBytes ?? 8 * 1024 * 1024;
  const maxErrorBytes = options.maxErrorBytes ?? 4 * 1024;
  // Connections stay open between requests (a chunk sends hundreds to the same host); none is ever pooled across hosts.
  const agents = { 'http:': new http.Agent({ keepAlive: true, scheduling: 'lifo' }), 'https:': new https.Agent({ keepAlive: true, scheduling: 'lifo' }) };

  return {
    async configured() {
      return new Set(Object.keys(await load()));
    },

    async complete(request) {
      const started = performance.now();
      const config = await load();
      const provider = config[request.provider];
      const refuse = (reason: string, message: string): ChatResult => ({ ok: false, reason, retryable: false, message, latencyMs: 0 });
      if (!provider) return refuse('provider_not_configured', `Provider ${request.provider} is not configured on this deployment`);
      const base = new URL(provider.base_url);
      const url = new URL(`${base.pathname.replace(/\/+$/, '')}/chat/completions`, base);
      const allowed = new Set(Object.values(config).map((p) => new URL(p.base_url).origin));
      if (!allowed.has(url.origin)) return refuse('not_allowed', `${url.host} is not a configured provider host`);
      const body = JSON.stringify({ model: request.model, messages: request.messages, max_tokens: request.maxOutputTokens, stream: true, stream_options: { include_usage: true } });
      const redact = (text: string) => (provider.api_key ? text.split(provider.api_key).join('[redacted]') : text).replace(/Bearer\s+\S+/gi, 'Bearer [redacted]');
      return send(url, body, provider.api_key, request, started, { agent: agents[url.protocol as 'http:' | 'https:'], maxResponseBytes, maxErrorBytes, redact });
    },
  };
}

interface SendOptions {
  agent: http.Agent;
  maxResponseBytes: number;
  maxErrorBytes: number;
  redact: (text: string) => string;
}

/** One attempt: POST the body, read the answer (streamed or not) within the time limit and the size cap; never throws. */
function send(url: URL, body: string, apiKey: string, request: ChatRequest, started: number, options: SendOptions): Promise<ChatResult> {
  return new Promise((resolve) => {
    let settled = false;
    const elapsed = () => performance.now() - started;
    const finish = (result: ChatResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const fail = (reason: string, retryable: boolean, message: string, retryAfterMs?: number) => finish({ ok: false, reason, retryable, message, latencyMs: elapsed(), retryAfterMs });
    const transport = url.protocol === 'https:' ? https : http;
    const outgoing = transport.request(url, {
      method: 'POST',
      agent: options.agent,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        accept: 'text/event-stream, application/json',
        'x-request-id': request.requestId,
        ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
      },
    });
    const timer = setTimeout(() => {
      fail('timeout', true, `No complete answer from ${url.host} within ${request.timeoutMs} ms`);
      outgoing.destroy();
    }, request.timeoutMs);
    outgoing.on('error', (error: NodeJS.ErrnoException) => fail('network', true, `The request to ${url.host} failed${error.code ? ` (${error.code})` : ''}`));
    outgoing.on('response', (response) => {
      const status = response.statusCode ?? 0;
      const abort = (reason: string, message: string) => {
        fail(reason, false, message);
        outgoing.destroy();
      };
      if (status >= 300 && status < 400) {
        response.resume();
        return abort('redirect', `${url.host} answered ${status} (a redirect): the broker follows none`);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      if (status < 200 || status >= 300) {
        response.on('data', (chunk: Buffer) => {
          if (size < options.maxErrorBytes) chunks.push(chunk.subarray(0, options.maxErrorBytes - size));
          size += chunk.length;
        });
        response.on('end', () => {
          const detail = providerMessage(Buffer.concat(chunks).toString('utf8'));
          const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
          fail(`http_${status}`, retryable, options.redact(`${url.host} answered ${status}${detail ? `: ${detail}` : ''}`).slice(0, 300), retryAfterOf(header(response.headers['retry-after'])));
        });
        return;
      }
      const streamed = (response.headers['content-type'] ?? '').includes('text/event-stream');
      const stream = streamed ? eventStream(url.host, started) : undefined;
      response.on('data', (chunk: Buffer) => {
        if (settled) return;
        size += chunk.length;
        if (size > options.maxResponseBytes) return abort('too_large', `The answer of ${url.host} is larger than ${options.maxResponseBytes} bytes`);
        if (!stream) return void chunks.push(chunk);
        try {
          // Answered at [DONE]; the rest of the body (the end of the stream) is read on, keeping the connection for the next request.
          const done = stream.push(chunk);
          if (done) finish(done);
        } catch (error) {
          abort('invalid_response', (error as Error).message);
        }
      });
      response.on('end', () => {
        if (settled) return;
        try {
          finish(stream ? stream.end() : completionOf(Buffer.concat(chunks).toString('utf8'), elapsed(), url.host));
        } catch (error) {
          fail('invalid_response', false, (error as Error).message);
        }
      });
      response.on('error', () => fail('network', true, `The answer of ${url.host} broke off`));
    });
    outgoing.end(body);
  });
}

/**
 * Reads a server-sent event stream of chat completion chunks as it arrives:
 * content deltas (the first one's time is the TTFT), the usage chunk, `[DONE]`.
 * `push` answers the result once `[DONE]` is read; `end` when the stream ends without it.
 */
function eventStream(host: string, started: number) {
  const decoder = new TextDecoder();
  let buffer = '';
  let content = '';
  let ttftMs: number | null = null;
  let usage: ChatUsage | null = null;
  let servedModel: string | null = null;
  const result = (): ChatResult => ({ ok: true, content, usage, ttftMs, latencyMs: performance.now() - started, servedModel });
  const handle = (data: string) => {
    let chunk: StreamChunk;
    try {
      chunk = JSON.parse(data) as StreamChunk;
    } catch {
      throw new Error(`${host} sent a stream event that is not a chat completion chunk`);
    }
    if (chunk.error) throw new Error(`${host} sent an error in its stream: ${String(chunk.error.message ?? 'no message').slice(0, 200)}`);
    servedModel ??= typeof chunk.model === 'string' ? chunk.model : null;
    const delta = chunk.choices?.[0]?.delta?.content;
    if (typeof delta === 'string' && delta.length > 0) {
      ttftMs ??= performance.now() - started;
      content += delta;
    }
    if (chunk.usage) usage = usageOf(chunk.usage);
  };
  return {
    push(bytes: Buffer): ChatResult | undefined {
      buffer += decoder.decode(bytes, { stream: true });
      for (let end = buffer.search(/\r?\n\r?\n/); end >= 0; end = buffer.search(/\r?\n\r?\n/)) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
        const data = event
          .split(/\r?\n/)
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trimStart())
          .join('\n');
        if (!data) continue;
        if (data === '[DONE]') return result();
        handle(data);
      }
      return undefined;
    },
    end(): ChatResult {
      if (!content && !usage) throw new Error(`${host} ended its stream without an answer`);
      return result();
    },
  };
}

function completionOf(text: string, latencyMs: number, host: string): ChatResult {
  let body: { model?: unknown; choices?: { message?: { content?: unknown } }[]; usage?: RawUsage };
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'invalid_response', retryable: false, message: `${host} answered with something that is not JSON`, latencyMs };
  }
  const content = body.choices?.[0]?.message?.content;
  if (typeof content !== 'string') return { ok: false, reason: 'invalid_response', retryable: false, message: `${host} answered without a message`, latencyMs };
  return { ok: true, content, usage: body.usage ? usageOf(body.usage) : null, ttftMs: null, latencyMs, servedModel: typeof body.model === 'string' ? body.model : null };
}

interface RawUsage {
  prompt_tokens?: unknown;
  completion_tokens?: unknown;
  prompt_tokens_details?: { cached_tokens?: unknown } | null;
}

interface StreamChunk {
  model?: unknown;
  choices?: { delta?: { content?: unknown } }[];
  usage?: RawUsage | null;
  error?: { message?: unknown };
}

function usageOf(raw: RawUsage): ChatUsage | null {
  const count = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined);
  const input = count(raw.prompt_tokens);
  const output = count(raw.completion_tokens);
  if (input === undefined || output === undefined) return null;
  return { inputTokens: input, outputTokens: output, cachedInputTokens: count(raw.prompt_tokens_details?.cached_tokens) ?? 0 };
}

/** The provider's own words from an OpenAI-style error body (`{"error": {"message"}}`), if any. */
function providerMessage(text: string | undefined): string {
  if (!text) return '';
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const message = typeof body.error === 'string' ? body.error : (body.error?.message ?? body.message);
    return typeof message === 'string' ? message.slice(0, 200) : '';
  } catch {
    return '';
  }
}

function header(value: string | string[] | undefined): string | null {
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

function retryAfterOf(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
