/** Proxy endpoints, recordings, sessions and session replays, as the API shows them and as they are stored. */

export const REPLAY_SPEEDS = ['instant', '0.5x', '1x', '2x'] as const;
export type ReplaySpeed = (typeof REPLAY_SPEEDS)[number];
export const COMPARE_MODES = ['status', 'status_and_body'] as const;
export type CompareMode = (typeof COMPARE_MODES)[number];
export const REPLAY_STATUSES = ['queued', 'running', 'completed', 'failed', 'canceled'] as const;
export type ReplayStatus = (typeof REPLAY_STATUSES)[number];

/** An endpoint as stored: the API fields and its token. */
export interface EndpointRecord {
  id: string;
  project_id: string;
  name: string;
  upstream_url: string;
  recording: boolean;
  session_header: string;
  session_idle_seconds: number;
  redact_headers: string[];
  token: string;
  created_at: string;
  updated_at: string;
}

/** What a proxied request needs to know about its endpoint (found by token). */
export type TokenTarget = Pick<EndpointRecord, 'id' | 'project_id' | 'upstream_url' | 'recording' | 'session_header' | 'session_idle_seconds' | 'redact_headers'>;

/** A recorded body: whole up to the cap, else its first bytes and `truncated`. */
export interface StoredBody {
  /** Size of the body as it was sent, before any cut. */
  size: number;
  truncated: boolean;
  /** `utf8` when the kept bytes are valid UTF-8 text, else `base64`. */
  encoding: 'utf8' | 'base64';
  /** The kept bytes when small enough to live in the item. */
  inline?: string;
  /** Where the kept bytes live otherwise (recordings bucket). */
  objectKey?: string;
}

/** One exchange through the proxy (or one HAR entry). */
export interface RecordingRecord {
  id: string;
  endpoint_id: string;
  session_id: string;
  method: string;
  path: string;
  /** The raw query string, without `?`. */
  query: string;
  /** Lower-case names; redacted ones keep their name with the value `[redacted]`. */
  request_headers: Record<string, string>;
  request_body: StoredBody | null;
  response_status: number;
  response_headers: Record<string, string>;
  response_body: StoredBody | null;
  /** Epoch milliseconds at which the proxy received the request. */
  started_at_ms: number;
  duration_ms: number;
  redacted_headers: string[];
  /** Why the upstream gave no answer (the proxy then answered 502/504 itself). */
  upstream_error: string | null;
  source: 'proxy' | 'har';
}

export interface SessionRecord {
  id: string;
  endpoint_id: string;
  grouped_by: 'header' | 'client' | 'import';
  /** The session header's value, when grouped by header. */
  client_session_id: string | null;
  request_count: number;
  first_at_ms: number;
  last_at_ms: number;
  created_at: string;
}

export interface ReplaySettings {
  target_url: string;
  speed: ReplaySpeed;
  header_overrides: Record<string, string>;
  compare: CompareMode;
  ignore_paths: string[];
}

/** One window of a replay's plan: a run of requests one worker sends. */
export interface WindowSpec {
  /** Index of its first request in the replay. */
  first: number;
  count: number;
  /** When its first request is due, from the replay's start (ms). */
  start_offset_ms: number;
  /** When its last request is due. */
  end_offset_ms: number;
}

export interface ReplayRecord extends ReplaySettings {
  id: string;
  /** The org of the key that started it: its ledger submission goes there. */
  org_id: string;
  project_id: string;
  endpoint_id: string;
  session_id: string;
  status: ReplayStatus;
  total: number;
  sent: number;
  passed: number;
  failed: number;
  window_count: number;
  windows_done: number;
  created_at: string;
  /** Epoch ms the schedule counts from (set when the first window is claimed). */
  started_at_ms: number | null;
  completed_at: string | null;
  failure_reason: string | null;
}

/** What the worker of one window reads: its requests, and when the next window starts. */
export interface PlannedWindow {
  spec: WindowSpec;
  next_start_offset_ms: number | null;
  requests: PlannedRequest[];
}

/** One request of a replay plan. */
export interface PlannedRequest {
  index: number;
  recording_id: string;
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  redacted_headers: string[];
  body: StoredBody | null;
  expected_status: number;
  expected_body: StoredBody | null;
  expected_content_type: string | null;
  expected_content_encoding: string | null;
  /** When it is due, from the replay's start (ms), speed applied. */
  offset_ms: number;
}

export interface BodyDifference {
  path: string;
  expected?: unknown;
  actual?: unknown;
}

/** What happened to one replayed request. */
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
  body_diff?: BodyDifference[];
}

/** The message of one window (or of a purge) on the session replay queue. */
export type SessionReplayMessage =
  | { type: 'window'; project_id: string; endpoint_id: string; session_id: string; replay_id: string; window: number }
  | { type: 'purge'; project_id: string; endpoint_id: string };

export type WindowMessage = Extract<SessionReplayMessage, { type: 'window' }>;

/** Whole-millisecond RFC 3339 UTC. */
export const isoTime = (ms: number | Date): string => new Date(ms).toISOString();
