import http, { type ClientRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { BlockedAddressError, createAddressPolicy, createCheckedAgents } from './address-policy.ts';
import { loopbackTargetsAllowed } from './url-check.ts';

/** Limits and address exceptions of one client; the defaults suit user-supplied URLs on AWS. */
export interface SafeHttpClientOptions {
  /** Let requests reach 127.0.0.1 and ::1 (the local platform's opt-in); private, link-local and the rest stay refused. */
  allowLoopback?: boolean;
  /** Exact IP addresses to allow besides public ones (tests). */
  allowAddresses?: string[];
  /** Limit for the whole request, every redirect included: from the first connect to the last body byte of the last hop. @default 10_000 */
  timeoutMs?: number;
  /** Limit for opening the TCP connection of a hop. @default 5_000 */
  connectTimeoutMs?: number;
  /** Largest response body accepted, checked while it streams. @default 5 MiB */
  maxResponseBytes?: number;
  /** @default 5 */
  maxRedirects?: number;
  /** Sent unless the request carries its own `user-agent`. @default 'Reprise/1 (+replay)' */
  userAgent?: string;
}

/** What to send; header names are matched case-insensitively. */
export interface SafeHttpRequestInit {
  /** @default 'GET' */
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Aborts the whole request, all hops; the promise then rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** `manual` answers a redirect as it came (a proxy or a replay passes it on). @default 'follow' */
  redirect?: 'follow' | 'manual';
}

/** A complete response, body included (never more than `maxResponseBytes`). */
export interface SafeHttpResponse {
  status: number;
  /** Lower-case names; repeated headers joined with `, ` (`set-cookie` too: read {@link setCookies} for its values). */
  headers: Record<string, string>;
  /** Each `set-cookie` header value on its own (a joined list cannot be split again: dates hold commas). */
  setCookies: string[];
  body: Buffer;
  /** The URL that answered, after redirects. */
  url: string;
  redirects: number;
  elapsedMs: number;
}

/** Machine-readable reason of an {@link OutboundRequestError}. */
export type OutboundRequestErrorCode = 'invalid_url' | 'blocked_address' | 'timeout' | 'response_too_large' | 'too_many_redirects' | 'network_error';

/** Why an outbound request failed, in words safe to show an API user (never a header value). */
export class OutboundRequestError extends Error {
  readonly code: OutboundRequestErrorCode;

  constructor(code: OutboundRequestErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OutboundRequestError';
    this.code = code;
  }
}

/** Outbound HTTP for user-supplied URLs; see {@link createSafeHttpClient}. */
export interface SafeHttpClient {
  /**
   * Sends one request to a user-supplied http(s) URL and follows redirects itself.
   * Rejects with an {@link OutboundRequestError}, or with `init.signal.reason` when the caller aborts.
   */
  request(url: string, init?: SafeHttpRequestInit): Promise<SafeHttpResponse>;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location', 'transfer-encoding'];

type Hop = Pick<SafeHttpResponse, 'status' | 'headers' | 'setCookies' | 'body'>;

/**
 * The one client for URLs users give us (reproducibility, session replay, proxy upstreams).
 * Addresses are checked by the agents when a socket connects — after DNS resolution, on every
 * redirect hop — so a name that resolves (or re-resolves) to a loopback, private, link-local,
 * metadata, CGNAT, IPv4-mapped or otherwise non-public address is refused. Redirects are followed
 * here, each hop through the same agents; `authorization`, `cookie`, `proxy-authorization` and a
 * caller-set `host` are dropped when a redirect changes origin, and the client never adds
 * credentials of its own.
 */
export function createSafeHttpClient(options: SafeHttpClientOptions = {}): SafeHttpClient {
  const policy = createAddressPolicy({ allowLoopback: options.allowLoopback ?? false, allowAddresses: options.allowAddresses ?? [] });
  const agents = createCheckedAgents(policy, { keepAlive: true });
  const timeoutMs = options.timeoutMs ?? 10_000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  const maxResponseBytes = options.maxResponseBytes ?? 5 * 1024 * 1024;
  const maxRedirects = options.maxRedirects ?? 5;
  const userAgent = options.userAgent ?? 'Reprise/1 (+replay)';

  return {
    async request(rawUrl, init = {}) {
      const started = performance.now();
      // One deadline for the whole request: a chain of slow redirects cannot take timeoutMs per hop.
      const deadline = started + timeoutMs;
      let url = parseTarget(rawUrl, 'The URL');
      let method = (init.method ?? 'GET').toUpperCase();
      let body = init.body;
      const headers: Record<string, string> = { 'user-agent': userAgent };
      for (const [name, value] of Object.entries(init.headers ?? {})) headers[name.toLowerCase()] = value;

      for (let redirects = 0; ; redirects++) {
        init.signal?.throwIfAborted();
        const remainingMs = deadline - performance.now();
        if (remainingMs <= 0) throw requestTimeout(url, redirects);
        const response = await hop(url, method, headers, body, init.signal, remainingMs, redirects);
        const location = response.headers.location;
        if (!REDIRECT_STATUSES.has(response.status) || location === undefined || init.redirect === 'manual') {
          return { ...response, url: url.href, redirects, elapsedMs: performance.now() - started };
        }
        if (redirects >= maxRedirects) throw new OutboundRequestError('too_many_redirects', `Stopped after ${maxRedirects} redirects`);
        const next = parseTarget(resolveLocation(location, url), 'The redirect target');
        if (next.origin !== url.origin) for (const name of [...CREDENTIAL_HEADERS, 'host']) delete headers[name];
        if ((response.status === 303 && method !== 'HEAD') || ((response.status === 301 || response.status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
          for (const name of BODY_HEADERS) delete headers[name];
        }
        url = next;
      }
    },
  };

  function requestTimeout(url: URL, redirects: number): OutboundRequestError {
    return new OutboundRequestError('timeout', `No complete answer from ${url.host} within ${timeoutMs} ms${redirects ? ` (${redirects} redirects included)` : ''}`);
  }

  function hop(
    url: URL,
    method: string,
    headers: Record<string, string>,
    body: string | Uint8Array | undefined,
    signal: AbortSignal | undefined,
    remainingMs: number,
    redirects: number,
  ) {
    return new Promise<Hop>((resolve, reject) => {
      let request: ClientRequest;
      try {
        const transport = url.protocol === 'https:' ? https : http;
        request = transport.request(url, { method, headers, agent: agents[url.protocol as 'http:' | 'https:'] });
      } catch (error) {
        // node:http validates the method and header names and values synchronously.
        const code = (error as NodeJS.ErrnoException).code;
        return reject(new OutboundRequestError('network_error', `The request to ${url.host} could not be sent: invalid method or header${code ? ` (${code})` : ''}`));
      }

      const timers: NodeJS.Timeout[] = [];
      const onAbort = () => fail(signal?.reason);
      const done = () => {
        for (const timer of timers) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const fail = (error: unknown) => {
        done();
        request.destroy();
        reject(error);
      };

      signal?.addEventListener('abort', onAbort, { once: true });
      timers.push(setTimeout(() => fail(requestTimeout(url, redirects)), remainingMs));
      request.once('socket', (socket) => {
        if (!socket.connecting) return;
        const timer = setTimeout(() => fail(new OutboundRequestError('timeout', `Could not connect to ${url.host} within ${connectTimeoutMs} ms`)), Math.min(connectTimeoutMs, remainingMs));
        timers.push(timer);
        socket.once('connect', () => clearTimeout(timer));
      });
      request.on('error', (error) => fail(classify(error, url)));
      request.once('response', (response: IncomingMessage) => {
        const tooLarge = () => new OutboundRequestError('response_too_large', `The response from ${url.host} is larger than ${maxResponseBytes} bytes`);
        const bodyless = method === 'HEAD' || response.statusCode === 204 || response.statusCode === 304;
        if (!bodyless && Number(response.headers['content-length']) > maxResponseBytes) return fail(tooLarge());
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxResponseBytes) fail(tooLarge());
          else chunks.push(chunk);
        });
        response.on('error', (error) => fail(classify(error, url)));
        response.once('end', () => {
          done();
          resolve({ status: response.statusCode ?? 0, headers: flatten(response.headers), setCookies: response.headers['set-cookie'] ?? [], body: Buffer.concat(chunks) });
        });
      });
      request.end(body);
    });
  }
}

let fromEnv: SafeHttpClient | undefined;

/**
 * The process-wide client. Loopback targets are allowed only when
 * `REPRISE_ALLOW_LOOPBACK_TARGETS=true` (set by the local platform, never on AWS); private and
 * link-local ranges stay refused either way.
 */
export function safeHttpClientFromEnv(): SafeHttpClient {
  fromEnv ??= createSafeHttpClient({ allowLoopback: loopbackTargetsAllowed() });
  return fromEnv;
}


function parseTarget(raw: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundRequestError('invalid_url', `${what} is not a valid absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OutboundRequestError('invalid_url', `${what} must use http or https`);
  if (url.username || url.password) throw new OutboundRequestError('invalid_url', `${what} must not carry credentials; send them as headers`);
  return url;
}

function resolveLocation(location: string, base: URL): string {
  try {
    return new URL(location, base).href;
  } catch {
    throw new OutboundRequestError('invalid_url', `The redirect from ${base.host} points to an invalid URL`);
  }
}

function classify(error: Error, url: URL): OutboundRequestError {
  if (error instanceof OutboundRequestError) return error;
  // The second test catches a refusal by request-filtering-agent's own layer, which throws plain Errors.
  if (error instanceof BlockedAddressError || /^DNS lookup .* is not allowed/.test(error.message)) {
    return new OutboundRequestError('blocked_address', `${url.hostname} is, or resolves to, an address that is not public (loopback, private, link-local or reserved)`, {
      cause: error,
    });
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ETIMEDOUT') return new OutboundRequestError('timeout', `Connecting to ${url.host} timed out`, { cause: error });
  return new OutboundRequestError('network_error', `The request to ${url.host} failed${code ? ` (${code})` : ''}`, { cause: error });
}

function flatten(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}
