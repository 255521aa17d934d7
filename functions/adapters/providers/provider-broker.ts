import { performance } from 'node:perf_hooks';
import type { ChatBroker, ChatResult, ChatUsage, ProviderDirectory } from '#core/replay-runs/full-fidelity/broker.ts';
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

  return {
    async configured() {
      return new Set(Object.keys(await load()));
    },

    async complete(request) {
      const started = performance.now();
      const elapsed = () => performance.now() - started;
      const fail = (reason: string, retryable: boolean, message: string, retryAfterMs?: number): ChatResult => ({ ok: false, reason, retryable, message, latencyMs: elapsed(), retryAfterMs });
      const config = await load();
      const provider = config[request.provider];
      if (!provider) return fail('provider_not_configured', false, `Provider ${request.provider} is not configured on this deployment`);
      const base = new URL(provider.base_url);
      const url = new URL(`${base.pathname.replace(/\/+$/, '')}/chat/completions`, base);
      const allowed = new Set(Object.values(config).map((p) => new URL(p.base_url).origin));
      if (!allowed.has(url.origin)) return fail('not_allowed', false, `${url.host} is not a configured provider host`);
      const redact = (text: string) => (provider.api_key ? text.split(provider.api_key).join('[redacted]') : text).replace(/Bearer\s+\S+/gi, 'Bearer [redacted]');

      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          redirect: 'manual',
          signal: AbortSignal.timeout(request.timeoutMs),
          headers: {
            'content-type': 'application/json',
            accept: 'text/event-stream, application/json',
            'x-request-id': request.requestId,
            ...(provider.api_key ? { authorization: `Bearer ${provider.api_key}` } : {}),
          },
          body: JSON.stringify({
            model: request.model,
            messages: request.messages,
            max_tokens: request.maxOutputTokens,
            stream: true,
            stream_options: { include_usage: true },
          }),
        });
      } catch (error) {
        return failureOf(error, url, request.timeoutMs, fail);
      }

      try {
        if (response.status >= 300 && response.status < 400) {
          await response.body?.cancel();
          return fail('redirect', false, `${url.host} answered ${response.status} (a redirect): the broker follows none`);
        }
        if (!response.ok) {
          const text = await readCapped(response, maxErrorBytes, true);
          const retryable = response.status === 408 || response.status === 409 || response.status === 429 || response.status >= 500;
          const detail = providerMessage(text);
          return fail(
            `http_${response.status}`,
            retryable,
            redact(`${url.host} answered ${response.status}${detail ? `: ${detail}` : ''}`).slice(0, 300),
            retryAfterOf(response.headers.get('retry-after')),
          );
        }
        const type = response.headers.get('content-type') ?? '';
        if (type.includes('text/event-stream')) return await readStream(response, started, maxResponseBytes, url.host);
        const text = await readCapped(response, maxResponseBytes, false);
        if (text === undefined) return fail('too_large', false, `The answer of ${url.host} is larger than ${maxResponseBytes} bytes`);
        return completionOf(text, elapsed(), url.host);
      } catch (error) {
        return failureOf(error, url, request.timeoutMs, fail);
      }
    },
  };
}

type Fail = (reason: string, retryable: boolean, message: string, retryAfterMs?: number) => ChatResult;

function failureOf(error: unknown, url: URL, timeoutMs: number, fail: Fail): ChatResult {
  const name = (error as Error).name;
  if (name === 'TimeoutError' || name === 'AbortError') return fail('timeout', true, `No complete answer from ${url.host} within ${timeoutMs} ms`);
  if (error instanceof ResponseTooLarge) return fail('too_large', false, error.message);
  if (error instanceof InvalidAnswer) return fail('invalid_response', false, error.message);
  const code = ((error as { cause?: { code?: string } }).cause?.code ?? (error as NodeJS.ErrnoException).code) || undefined;
  return fail('network', true, `The request to ${url.host} failed${code ? ` (${code})` : ''}`);
}

class ResponseTooLarge extends Error {}
class InvalidAnswer extends Error {}

/** The body as text, up to `max` bytes: undefined past it (or the start of it, for error bodies). */
async function readCapped(response: Response, max: number, truncate: boolean): Promise<string | undefined> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      if (!truncate) return undefined;
      chunks.push(value.subarray(0, value.byteLength - (size - max)));
      break;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads a server-sent event stream of chat completion chunks: content deltas, the usage chunk, `[DONE]`. */
async function readStream(response: Response, started: number, max: number, host: string): Promise<ChatResult> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let size = 0;
  let content = '';
  let ttftMs: number | null = null;
  let usage: ChatUsage | null = null;
  let servedModel: string | null = null;
  const handle = (data: string) => {
    const chunk = JSON.parse(data) as StreamChunk;
    if (chunk.error) throw new InvalidAnswer(`${host} sent an error in its stream: ${String(chunk.error.message ?? 'no message').slice(0, 200)}`);
    servedModel ??= typeof chunk.model === 'string' ? chunk.model : null;
    const delta = chunk.choices?.[0]?.delta?.content;
    if (typeof delta === 'string' && delta.length > 0) {
      ttftMs ??= performance.now() - started;
      content += delta;
    }
    if (chunk.usage) usage = usageOf(chunk.usage);
  };
  for (;;) {
    const { done, value } = await reader.read();
    if (value) {
      size += value.byteLength;
      if (size > max) {
        await reader.cancel();
        throw new ResponseTooLarge(`The answer of ${host} is larger than ${max} bytes`);
      }
      buffer += decoder.decode(value, { stream: true });
    }
    let end: number;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      const data = event
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      if (!data) continue;
      if (data === '[DONE]') {
        await reader.cancel();
        return { ok: true, content, usage, ttftMs, latencyMs: performance.now() - started, servedModel };
      }
      try {
        handle(data);
      } catch (error) {
        if (error instanceof InvalidAnswer) throw error;
        throw new InvalidAnswer(`${host} sent a stream event that is not a chat completion chunk`);
      }
    }
    if (done) break;
  }
  if (!content && !usage) throw new InvalidAnswer(`${host} ended its stream without an answer`);
  return { ok: true, content, usage, ttftMs, latencyMs: performance.now() - started, servedModel };
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

function retryAfterOf(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
