/**
 * What the session replay API answers (functions/http/session-replay/contract.ts),
 * under the names the Proxy page uses. The shapes are written out here because
 * the contract imports zod; test/unit/web/proxy-types.test.ts holds them equal
 * to the contract's schemas at compile time. Constants come from core modules
 * that import nothing, so the page's bundle gains no server code.
 */
import type { BodyDifference, CompareMode, ReplaySpeed, ReplayStatus } from '../../../functions/core/session-replay/model.ts';

export type { CompareMode, ReplaySpeed, ReplayStatus as SessionReplayStatus } from '../../../functions/core/session-replay/model.ts';
export { COMPARE_MODES, REPLAY_SPEEDS, REPLAY_STATUSES } from '../../../functions/core/session-replay/model.ts';
export { sessionReplayLimits } from '../../../functions/core/session-replay/limits.ts';
export { ALWAYS_REDACTED, HEADER_NAME, REDACTED_VALUE } from '../../../functions/core/session-replay/headers.ts';
export { IGNORE_PATH_PATTERN } from '../../../functions/core/session-replay/ignore-path.ts';

export interface ListPage<T> {
  object: 'list';
  data: T[];
  next_cursor: string | null;
}

export interface ProxyEndpoint {
  id: string;
  object: 'proxy_endpoint';
  name: string;
  upstream_url: string;
  recording: boolean;
  session_header: string;
  session_idle_seconds: number;
  redact_headers: string[];
  proxy_url: string;
  created_at: string;
  updated_at: string;
}

export interface ProxySession {
  id: string;
  object: 'session';
  endpoint_id: string;
  grouped_by: 'header' | 'client' | 'import';
  client_session_id: string | null;
  request_count: number;
  first_at: string;
  last_at: string;
  created_at: string;
}

export interface RecordedBody {
  size: number;
  truncated: boolean;
  encoding: 'utf8' | 'base64';
  data: string | null;
}

export interface Recording {
  id: string;
  object: 'recording';
  endpoint_id: string;
  session_id: string;
  source: 'proxy' | 'har';
  method: string;
  path: string;
  query: string;
  request_headers: Record<string, string>;
  request_body: RecordedBody | null;
  response_status: number;
  response_headers: Record<string, string>;
  response_body: RecordedBody | null;
  started_at: string;
  duration_ms: number;
  redacted_headers: string[];
  upstream_error: string | null;
}

export interface SessionWithRecordings extends ProxySession {
  recordings: Recording[];
  next_cursor: string | null;
}

export interface ReplaySummary {
  total: number;
  sent: number;
  passed: number;
  failed: number;
  pending: number;
}

export interface SessionReplay {
  id: string;
  object: 'session_replay';
  endpoint_id: string;
  session_id: string;
  status: ReplayStatus;
  target_url: string;
  speed: ReplaySpeed;
  header_overrides: Record<string, string>;
  compare: CompareMode;
  ignore_paths: string[];
  summary: ReplaySummary;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  failure_reason: string | null;
}

export interface ReplayResult {
  index: number;
  recording_id: string;
  method: string;
  path: string;
  passed: boolean;
  expected_status: number;
  actual_status: number | null;
  response_time_ms: number | null;
  error: string | null;
  scheduled_offset_ms: number;
  sent_offset_ms: number | null;
  body_diff?: BodyDifference[] | undefined;
}

export interface ReplayWithResults extends SessionReplay {
  results: ReplayResult[];
  next_cursor: string | null;
}

/** What `POST …/replays` takes. */
export interface ReplayRequest {
  target_url: string;
  speed: ReplaySpeed;
  header_overrides: Record<string, string>;
  compare: CompareMode;
  ignore_paths: string[];
}

/** What `POST /api/v1/proxy-endpoints` takes (the page sets the three the seed names). */
export interface EndpointRequest {
  name: string;
  upstream_url: string;
  recording: boolean;
}

/** What `PATCH …/{endpoint_id}` takes: any of these. */
export type EndpointChanges = Partial<EndpointRequest & { session_header: string; session_idle_seconds: number; redact_headers: string[] }>;

/** Replays in these states will not change any more. */
export const ENDED_STATUSES: readonly ReplayStatus[] = ['completed', 'failed', 'canceled'];
