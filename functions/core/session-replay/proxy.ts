import { createHash } from 'node:crypto';
import { DomainError, NotFoundError } from '../errors.ts';
import { storeBody } from './bodies.ts';
import { confinedToProxy } from './proxied-answer.ts';
import { redact, withoutHopByHop } from './headers.ts';
import { sessionReplayLimits as L } from './limits.ts';
import type { RecordingRecord, TokenTarget } from './model.ts';
import { bodyKey } from './object-keys.ts';
import type { GroupKey, ObjectStore, Outbound, ProxyStore } from './ports.ts';

/** What arrived at `ANY /proxy/{endpoint_token}/…`. */
export interface ProxiedRequest {
  token: string;
  method: string;
  /** The path after the token, from `/` (as sent, still percent-encoded). */
  path: string;
  /** The raw query string, without `?`. */
  query: string;
  headers: Record<string, string>;
  body: Buffer | null;
  clientAddress: string;
}

export interface ProxiedResponse {
  status: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

export interface ProxyDependencies {
  store: ProxyStore;
  objects: ObjectStore;
  upstream: Outbound;
  nowMs: () => number;
  newRecordingId: (atMs: number) => string;
  newSessionId: () => string;
  /** Explains an outbound failure; undefined for errors that are not outbound failures (rethrown). */
  describeFailure: (error: unknown) => { code: string; message: string } | undefined;
  log: (message: string, fields: Record<string, unknown>) => void;
}

/** The upstream gave no usable answer: 502, or 504 when it was too slow. */
export class UpstreamError extends DomainError {
  constructor(status: 502 | 504, code: string, message: string) {
    super(status, code, message);
  }
}

export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

/**
 * Forwards one request to the endpoint's upstream through the SSRF-safe
 * client and answers with what came back; with recording on, stores the
 * exchange in its session. A failed recording never fails the answer.
 */
export async function proxyRequest(deps: ProxyDependencies, request: ProxiedRequest): Promise<ProxiedResponse> {
  const arrivedAt = deps.nowMs();
  // Named on arrival: ids are the arrival order of a session's recordings.
  const recordingId = deps.newRecordingId(arrivedAt);
  const endpoint = await deps.store.endpointByToken(tokenHash(request.token));
  if (!endpoint) throw new NotFoundError('No proxy endpoint has this token', 'proxy_endpoint_not_found');

  // The session is settled while the upstream answers; a failure there only costs the recording.
  const session = endpoint.recording ? settle(deps.store.resolveSession(endpoint.project_id, endpoint.id, groupKey(endpoint, request), arrivedAt, endpoint.session_idle_seconds * 1000, deps.newSessionId)) : undefined;

  const headers = withoutHopByHop(request.headers);
  let answer: ProxiedResponse | undefined;
  let failure: UpstreamError | undefined;
  const started = deps.nowMs();
  try {
    const response = await deps.upstream.request(upstreamUrl(endpoint.upstream_url, request.path, request.query), {
      method: request.method,
      headers,
      ...(request.body?.length ? { body: request.body } : {}),
      redirect: 'manual',
    });
    const responseHeaders = withoutHopByHop(response.headers);
    delete responseHeaders['set-cookie'];
    answer = { status: response.status, headers: responseHeaders, cookies: response.setCookies, body: response.body };
  } catch (error) {
    const described = deps.describeFailure(error);
    if (!described) throw error;
    failure = upstreamFailure(described);
  }
  const durationMs = deps.nowMs() - started;

  if (session) {
    const sessionId = await session;
    if (sessionId.ok) {
      await record(deps, endpoint, { id: recordingId, sessionId: sessionId.value, arrivedAt, durationMs }, request, answer, failure).catch((error: unknown) =>
        deps.log('Recording failed', { endpoint_id: endpoint.id, error: (error as Error).message }),
      );
    } else {
      deps.log('Session grouping failed', { endpoint_id: endpoint.id, error: (sessionId.error as Error).message });
    }
  }
  if (failure) throw failure;
  return confinedToProxy(answer!, request.token);
}

/** The upstream base URL with the request's path and query (the base's own query, if any, comes first). */
export function upstreamUrl(base: string, path: string, query: string): string {
  const url = new URL(base);
  const prefix = url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname;
  const joinedQuery = [url.search.slice(1), query].filter(Boolean).join('&');
  return `${url.origin}${prefix}${path.startsWith('/') ? path : `/${path}`}${joinedQuery ? `?${joinedQuery}` : ''}`;
}

function groupKey(endpoint: TokenTarget, request: ProxiedRequest): GroupKey {
  const value = request.headers[endpoint.session_header];
  if (value !== undefined && value !== '') return { kind: 'header', value: value.slice(0, L.maxSessionKeyChars) };
  return { kind: 'client', address: request.clientAddress, userAgent: request.headers['user-agent'] ?? '' };
}

function upstreamFailure({ code, message }: { code: string; message: string }): UpstreamError {
  if (code === 'timeout') return new UpstreamError(504, 'upstream_timeout', `The upstream did not answer in time: ${message}`);
  if (code === 'response_too_large') {
    return new UpstreamError(502, 'upstream_response_too_large', `The upstream's answer is larger than the proxy can return (${L.maxProxiedResponseBytes} bytes): ${message}`);
  }
  if (code === 'blocked_address') return new UpstreamError(502, 'upstream_blocked', `The upstream address is refused: ${message}`);
  return new UpstreamError(502, 'upstream_unreachable', `The upstream could not be reached: ${message}`);
}

async function record(
  deps: ProxyDependencies,
  endpoint: TokenTarget,
  { id, sessionId, arrivedAt, durationMs }: { id: string; sessionId: string; arrivedAt: number; durationMs: number },
  request: ProxiedRequest,
  answer: ProxiedResponse | undefined,
  failure: UpstreamError | undefined,
): Promise<void> {
  const where = { projectId: endpoint.project_id, endpointId: endpoint.id, sessionId, recordingId: id };
  const requestBody = storeBody(request.body, bodyKey(where, 'request'));
  const responseBody = storeBody(answer?.body ?? null, bodyKey(where, 'response'));
  const requestHeaders = redact(withoutHopByHop(request.headers), endpoint.redact_headers);
  const responseHeaders = redact({ ...(answer?.headers ?? {}), ...(answer?.cookies.length ? { 'set-cookie': answer.cookies.join('\n') } : {}) }, endpoint.redact_headers);
  await Promise.all([requestBody.object, responseBody.object].filter((o) => o !== undefined).map((o) => deps.objects.putBody(o.key, o.bytes)));
  const recording: RecordingRecord = {
    id,
    endpoint_id: endpoint.id,
    session_id: sessionId,
    method: request.method,
    path: request.path,
    query: request.query,
    request_headers: requestHeaders.headers,
    request_body: requestBody.body,
    response_status: answer?.status ?? failure!.status,
    response_headers: responseHeaders.headers,
    response_body: responseBody.body,
    started_at_ms: arrivedAt,
    duration_ms: Math.round(durationMs),
    redacted_headers: [...new Set([...requestHeaders.redacted, ...responseHeaders.redacted])].sort(),
    upstream_error: failure ? failure.message : null,
    source: 'proxy',
  };
  await deps.store.putRecording(endpoint.project_id, recording);
}

async function settle<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}
