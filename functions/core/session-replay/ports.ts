import type {
  EndpointRecord,
  RecordingRecord,
  ReplayRecord,
  ReplayResult,
  ReplayStatus,
  SessionRecord,
  SessionReplayMessage,
  PlannedWindow,
  TokenTarget,
  WindowMessage,
} from './model.ts';

export interface Page<T> {
  items: T[];
  /** The sort position to pass as `after` for the next page; absent on the last page. */
  next?: string;
}

/** How a request is grouped: by the session header's value, or by client with an idle gap. */
export type GroupKey = { kind: 'header'; value: string } | { kind: 'client'; address: string; userAgent: string };

/** Endpoints, sessions, recordings, replays and their windows (DynamoDB on AWS). */
export interface ProxyStore {
  createEndpoint(endpoint: EndpointRecord, tokenHash: string): Promise<void>;
  getEndpoint(projectId: string, endpointId: string): Promise<EndpointRecord | undefined>;
  listEndpoints(projectId: string, page: { limit: number; after?: string }): Promise<Page<EndpointRecord>>;
  countEndpoints(projectId: string): Promise<number>;
  /** Applies `changes` to an endpoint that still exists; the endpoint after, or undefined. */
  updateEndpoint(projectId: string, endpointId: string, changes: Partial<Pick<EndpointRecord, 'name' | 'upstream_url' | 'recording' | 'session_header' | 'session_idle_seconds' | 'redact_headers'>>, at: string): Promise<EndpointRecord | undefined>;
  /** Removes the endpoint's token and marks it deleted (hidden from every read); false when it was not there. */
  markEndpointDeleted(projectId: string, endpointId: string, tokenHash: string, purgeAfter: string): Promise<boolean>;
  /** Endpoints deleted whose purge has not finished by `before`. */
  unpurged(before: string): Promise<{ project_id: string; endpoint_id: string }[]>;
  /** Removes up to `budget` items of a deleted endpoint; true once nothing is left (the endpoint item included). */
  purgeEndpoint(projectId: string, endpointId: string, budget: number): Promise<{ done: boolean }>;

  endpointByToken(tokenHash: string): Promise<TokenTarget | undefined>;

  /** The session this request belongs to at `atMs`, opening a new one when there is none or the idle gap passed. */
  resolveSession(projectId: string, endpointId: string, key: GroupKey, atMs: number, idleMs: number, newSessionId: () => string): Promise<string>;
  /** Stores one recording and counts it in its session. */
  putRecording(projectId: string, recording: RecordingRecord): Promise<void>;
  /** Stores an imported session and all its recordings; removes what it wrote when a write fails. */
  putImportedSession(projectId: string, session: SessionRecord, recordings: RecordingRecord[]): Promise<void>;
  getSession(projectId: string, endpointId: string, sessionId: string): Promise<SessionRecord | undefined>;
  listSessions(projectId: string, endpointId: string, page: { limit: number; after?: string }): Promise<Page<SessionRecord>>;
  /** A session's recordings in arrival order. */
  sessionRecordings(projectId: string, endpointId: string, sessionId: string, page: { limit: number; after?: string }): Promise<Page<RecordingRecord>>;
  getRecording(projectId: string, endpointId: string, sessionId: string, recordingId: string): Promise<RecordingRecord | undefined>;
  /** The endpoint's recordings, newest first. */
  listRecordings(projectId: string, endpointId: string, page: { limit: number; after?: string }): Promise<Page<RecordingRecord>>;

  createReplay(replay: ReplayRecord): Promise<void>;
  deleteReplay(projectId: string, endpointId: string, sessionId: string, replayId: string): Promise<void>;
  getReplay(projectId: string, endpointId: string, sessionId: string, replayId: string): Promise<ReplayRecord | undefined>;
  listReplays(projectId: string, endpointId: string, sessionId: string, page: { limit: number; after?: string }): Promise<Page<ReplayRecord>>;
  /** queued → running with the schedule's start; the replay after, or undefined when it was not queued. */
  startReplay(ref: WindowMessage, startedAtMs: number, deadlineAt: string): Promise<ReplayRecord | undefined>;
  /**
   * Claims a window (conditional write): true for the first caller only, and only while the
   * replay runs; pushes the replay's stall deadline to `deadlineAt`.
   */
  claimWindow(ref: WindowMessage, claimedAt: string, deadlineAt: string): Promise<boolean>;
  /** A window's claim as stored: `claimed` (its worker is at it, or stopped), `done`, or undefined when nobody claimed it. */
  windowState(ref: WindowMessage): Promise<'claimed' | 'done' | undefined>;
  /** Adds counts sent so far by a window (its worker is the only writer of them). */
  addProgress(ref: WindowMessage, delta: { sent: number; passed: number; failed: number }): Promise<void>;
  /** Marks a claimed window done and adds its last counts, atomically; the replay after. */
  finishWindow(ref: WindowMessage, delta: { sent: number; passed: number; failed: number }, at: string): Promise<ReplayRecord | undefined>;
  /** Moves a replay from one of `from` to an end state; the replay after, or undefined when it was in none of them. */
  endReplay(ref: Omit<WindowMessage, 'type' | 'window'>, to: Extract<ReplayStatus, 'completed' | 'failed' | 'canceled'>, from: ReplayStatus[], at: string, reason?: string): Promise<ReplayRecord | undefined>;
  /** Replays running past their stall deadline, and replays queued since before `queuedBefore`. */
  overdueReplays(now: string, queuedBefore: string): Promise<{ running: WindowMessage[]; queued: WindowMessage[] }>;
  /** After re-sending a queued replay's first message, look at it again only after `until`. */
  postponeSweep(ref: WindowMessage, until: string): Promise<void>;
}

/** Bodies, plans and results: objects under the project's prefix in the recordings bucket. */
export interface ObjectStore {
  putBody(key: string, bytes: Buffer): Promise<void>;
  getBody(key: string): Promise<Buffer>;
  putPlan(key: string, window: PlannedWindow): Promise<void>;
  getPlan(key: string): Promise<PlannedWindow>;
  putResults(key: string, results: ReplayResult[]): Promise<void>;
  /** The results under `key`, or undefined when the window has not written any yet. */
  getResults(key: string): Promise<ReplayResult[] | undefined>;
  deleteKeys(keys: string[]): Promise<void>;
  deletePrefix(prefix: string): Promise<void>;
}

/** The session replay queue. */
export interface ReplayQueue {
  send(message: SessionReplayMessage, delaySeconds?: number): Promise<void>;
}

/** One outbound HTTP request to a user URL (the SSRF-safe client). */
export interface Outbound {
  request(
    url: string,
    init: { method: string; headers: Record<string, string>; body?: Uint8Array; signal?: AbortSignal; redirect: 'manual' },
  ): Promise<{ status: number; headers: Record<string, string>; setCookies: string[]; body: Buffer; elapsedMs: number }>;
}

/** An error of an outbound request, in words an API user can read. */
export interface OutboundFailure {
  code: string;
  message: string;
}
