import { bodyView } from './bodies.ts';
import { isSecretHeader, REDACTED_VALUE } from './headers.ts';
import { isoTime, type EndpointRecord, type RecordingRecord, type ReplayRecord, type SessionRecord } from './model.ts';

/** An endpoint as the API shows it; `proxy_url` is built from the API's own base URL. */
export function endpointView(endpoint: EndpointRecord, apiBaseUrl: string) {
  return {
    id: endpoint.id,
    object: 'proxy_endpoint' as const,
    name: endpoint.name,
    upstream_url: endpoint.upstream_url,
    recording: endpoint.recording,
    session_header: endpoint.session_header,
    session_idle_seconds: endpoint.session_idle_seconds,
    redact_headers: endpoint.redact_headers,
    proxy_url: `${apiBaseUrl}/proxy/${endpoint.token}`,
    created_at: endpoint.created_at,
    updated_at: endpoint.updated_at,
  };
}

export function sessionView(session: SessionRecord) {
  return {
    id: session.id,
    object: 'session' as const,
    endpoint_id: session.endpoint_id,
    grouped_by: session.grouped_by,
    client_session_id: session.client_session_id,
    request_count: session.request_count,
    first_at: isoTime(session.first_at_ms),
    last_at: isoTime(session.last_at_ms),
    created_at: session.created_at,
  };
}

/** A recording; bodies kept in objects show `data: null` unless `loaded` carries them. */
export function recordingView(recording: RecordingRecord, loaded: { request?: Buffer; response?: Buffer } = {}) {
  return {
    id: recording.id,
    object: 'recording' as const,
    endpoint_id: recording.endpoint_id,
    session_id: recording.session_id,
    source: recording.source,
    method: recording.method,
    path: recording.path,
    query: recording.query,
    request_headers: recording.request_headers,
    request_body: bodyView(recording.request_body, loaded.request),
    response_status: recording.response_status,
    response_headers: recording.response_headers,
    response_body: bodyView(recording.response_body, loaded.response),
    started_at: isoTime(recording.started_at_ms),
    duration_ms: recording.duration_ms,
    redacted_headers: recording.redacted_headers,
    upstream_error: recording.upstream_error,
  };
}

/** A replay; override values of secret headers are never shown again. */
export function replayView(replay: ReplayRecord, redactHeaders: readonly string[]) {
  return {
    id: replay.id,
    object: 'session_replay' as const,
    endpoint_id: replay.endpoint_id,
    session_id: replay.session_id,
    status: replay.status,
    target_url: replay.target_url,
    speed: replay.speed,
    header_overrides: Object.fromEntries(
      Object.entries(replay.header_overrides).map(([name, value]) => [name, isSecretHeader(name, redactHeaders) ? REDACTED_VALUE : value]),
    ),
    compare: replay.compare,
    ignore_paths: replay.ignore_paths,
    summary: { total: replay.total, sent: replay.sent, passed: replay.passed, failed: replay.failed, pending: Math.max(0, replay.total - replay.passed - replay.failed) },
    created_at: replay.created_at,
    started_at: replay.started_at_ms === null ? null : isoTime(replay.started_at_ms),
    completed_at: replay.completed_at,
    failure_reason: replay.failure_reason,
  };
}
