import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';

export interface SafeHttpClientOptions {
  /** Let requests reach 127.0.0.1 and ::1 (the local platform's opt-in); private and link-local stay refused. */
  allowLoopback?: boolean;
  /** Exact addresses to allow besides public ones (tests). */
  allowAddresses?: string[];
  /** Limit for one hop, connection to last byte. @default 10_000 */
  timeoutMs?: number;
  /** @default 5_000 */
  connectTimeoutMs?: number;
  /** @default 5 MiB */
  maxResponseBytes?: number;
  /** @default 5 */
  maxRedirects?: number;
  /** @default 'Reprise/1 (+replay)' */
  userAgent?: string;
}

export interface SafeHttpRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
}

export interface SafeHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The URL that answered, after redirects. */
  url: string;
  redirects: number;
  elapsedMs: number;
}

export type OutboundErrorCode = 'invalid_url' | 'blocked_address' | 'timeout' | 'response_too_large' | 'too_many_redirects' | 'network_error';

/** Why an outbound request failed, in words safe to show an API user (never a header value). */
export class OutboundRequestError extends Error {
  readonly code: OutboundErrorCode;

  constructor(code: OutboundErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OutboundRequestError';
    this.code = code;
  }
}

export interface SafeHttpClient {
  request(url: string, init?: SafeHttpRequest): Promise<SafeHttpResponse>;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];
const LOOPBACK = ['127.0.0.1', '::1'];

/**
 * The one client for URLs users give us (replay targets, proxy upstreams).
 * Addresses are checked when the socket connects — after DNS resolution and
 * on every redirect hop — so a name that resolves (or re-resolves) to a
 * private, loopback, link-local, metadata, CGNAT or IPv4-mapped address is
 * refused. Redirects are followed here, not by a library, so each hop goes
 * through the same check; credentials are dropped when a redirect changes origin.
 */
export function createSafeHttpClient(options: SafeHttpClientOptions = {}): SafeHttpClient {
  const allowIPAddressList = [...(options.allowLoopback ? LOOPBACK : []), ...(options.allowAddresses ?? [])];
  const agentOptions = { keepAlive: true, allowIPAddressList };
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  const agents = { 'http:': new RequestFilteringHttpAgent(agentOptions), 'https:': new RequestFilteringHttpsAgent(agentOptions) };
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxResponseBytes = options.maxResponseBytes ?? 5 * 1024 * 1024;
  const maxRedirects = options.maxRedirects ?? 5;
  const userAgent = options.userAgent ?? 'Reprise/1 (+replay)';

  return {
    async request(rawUrl, init = {}) {
      const started = performance.now();
      let url = parseTarget(rawUrl);
      let method = (init.method ?? 'GET').toUpperCase();
      let body = init.body;
      const headers: Record<string, string> = { 'user-agent': userAgent };
      for (const [name, value] of Object.entries(init.headers ?? {})) headers[name.toLowerCase()] = value;

      for (let redirects = 0; ; redirects++) {
        const response = await hop(url, method, headers, body);
        const location = response.headers.location;
        if (!REDIRECTS.has(response.status) || !location) {
          return { ...response, url: url.href, redirects, elapsedMs: performance.now() - started };
        }
        if (redirects >= maxRedirects) throw new OutboundRequestError('too_many_redirects', `More than ${maxRedirects} redirects`);
        const next = parseTarget(new URL(location, url).href);
        if (next.origin !== url.origin) for (const name of CREDENTIAL_HEADERS) delete headers[name];
        if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
          method = method === 'HEAD' ? 'HEAD' : 'GET';
          body = undefined;
          delete headers['content-type'];
          delete headers['content-length'];
        }
        url = next;
      }
    },
  };

  function hop(url: URL, method: string, headers: Record<string, string>, body: string | Uint8Array | undefined) {
    return new Promise<Omit<SafeHttpResponse, 'url' | 'redirects' | 'elapsedMs'> & { headers: Record<string, string> }>((resolve, reject) => {
      const transport = url.protocol === 'https:' ? https : http;
      const request = transport.request(url, { method, headers, agent: agents[url.protocol as 'http:' | 'https:'] });
      const fail = (error: OutboundRequestError) => {
        request.destroy(error);
        reject(error);
      };
      const timer = setTimeout(() => fail(new OutboundRequestError('timeout', `No complete answer from ${url.host} within ${timeoutMs} ms`)), timeoutMs);
      request.once('socket', (socket) => {
        if (!socket.connecting) return;
        const connectTimer = setTimeout(
          () => fail(new OutboundRequestError('timeout', `Could not connect to ${url.host} within ${connectTimeoutMs} ms`)),
          connectTimeoutMs,
        );
        socket.once('connect', () => clearTimeout(connectTimer));
        socket.once('close', () => clearTimeout(connectTimer));
      });
      request.once('error', (error) => {
        clearTimeout(timer);
        reject(error instanceof OutboundRequestError ? error : classify(error, url));
      });
      request.once('response', (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxResponseBytes) {
            clearTimeout(timer);
            response.destroy();
            fail(new OutboundRequestError('response_too_large', `The response from ${url.host} exceeds ${maxResponseBytes} bytes`));
          } else {
            chunks.push(chunk);
          }
        });
        response.once('end', () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, headers: flatten(response.headers), body: Buffer.concat(chunks) });
        });
        response.once('error', (error) => {
          clearTimeout(timer);
          reject(classify(error, url));
        });
      });
      if (body !== undefined) request.write(body);
      request.end();
    });
  }
}

let fromEnv: SafeHttpClient | undefined;

/** The process-wide client; loopback only when `REPRISE_ALLOW_LOOPBACK_TARGETS=true` (local platform opt-in, never on AWS). */
export function safeHttpClientFromEnv(): SafeHttpClient {
  fromEnv ??= createSafeHttpClient({ allowLoopback: process.env.REPRISE_ALLOW_LOOPBACK_TARGETS === 'true' });
  return fromEnv;
}

function parseTarget(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundRequestError('invalid_url', 'Not a valid absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OutboundRequestError('invalid_url', 'Only http and https URLs are allowed');
  if (url.username || url.password) throw new OutboundRequestError('invalid_url', 'URLs with credentials are not allowed; send them as headers');
  return url;
}

function classify(error: Error, url: URL): OutboundRequestError {
  if (/is not allowed/.test(error.message)) {
    return new OutboundRequestError('blocked_address', `${url.hostname} resolves to an address that is not public (loopback, private, link-local or reserved)`, {
      cause: error,
    });
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ETIMEDOUT') return new OutboundRequestError('timeout', `Connecting to ${url.host} timed out`, { cause: error });
  return new OutboundRequestError('network_error', `Request to ${url.host} failed${code ? ` (${code})` : ''}`, { cause: error });
}

function flatten(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}
