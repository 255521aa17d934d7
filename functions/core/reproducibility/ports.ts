import type { IdempotencyClaim } from '../idempotency.ts';
import type { AgentRecord } from './agent.ts';
import type { AttemptMessage, AttemptOutcome, AttemptRecord, AttemptSummary, RunRecord, RunResult } from './run.ts';
import type { SessionRecord } from './session.ts';

export interface Page<T> {
  items: T[];
  hasMore: boolean;
}

/** A chunk of a session's events: inline JSON in its item, or the key of an object holding it. */
export interface StoredChunk {
  id: string;
  time: string;
  count: number;
  bytes: number;
  eventsJson?: string | undefined;
  eventsKey?: string | undefined;
}

export interface SessionQuery {
  agentId?: string | undefined;
  replayable?: boolean | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** The list key of the last session served (`<started_at>#<id>`): only older ones. */
  before?: string | undefined;
  limit: number;
}

/** Sessions and their chunks (DynamoDB; large chunks in S3). */
export interface SessionStore {
  getSession(projectId: string, sessionId: string): Promise<SessionRecord | undefined>;
  /** Stores a new session and its first chunk (and the chunk's dedupe key); false when the id is taken. */
  createSession(record: SessionRecord, chunk: StoredChunk | undefined, dedupeKey?: string): Promise<boolean>;
  /**
   * Stores a chunk and the session as it is after it, if the session is
   * still at `previousVersion` (`conflict` otherwise); with a dedupe key,
   * a chunk already stored under it is `duplicate` and nothing is written.
   */
  appendChunk(record: SessionRecord, previousVersion: number, chunk: StoredChunk, dedupeKey?: string): Promise<'ok' | 'conflict' | 'duplicate'>;
  chunks(projectId: string, sessionId: string): Promise<StoredChunk[]>;
  chunk(projectId: string, sessionId: string, chunkId: string): Promise<StoredChunk | undefined>;
  /** Newest first by start time. */
  listSessions(projectId: string, query: SessionQuery): Promise<Page<SessionRecord>>;
  /** Sessions that have `word` (and every one of `alsoWords`), newest first. */
  searchSessions(projectId: string, word: string, alsoWords: string[], query: SessionQuery): Promise<Page<SessionRecord>>;
}

export interface AgentStore {
  getAgent(projectId: string, agentId: string): Promise<AgentRecord | undefined>;
  /** By id; `after` the last id served. */
  listAgents(projectId: string, page: { after?: string | undefined; limit: number }): Promise<Page<AgentRecord>>;
  /** Counts a session of the agent (creating the agent when new). */
  sawSession(projectId: string, agentId: string, at: string): Promise<void>;
  updateAgent(projectId: string, agentId: string, change: { replay_url?: string | null; ignore_paths?: string[] }, at: string): Promise<AgentRecord>;
}

export interface RunQuery {
  sessionId?: string | undefined;
  agentId?: string | undefined;
  before?: string | undefined;
  limit: number;
}

/** An idempotency key as stored: the run it created and the fingerprint of its request. */
export interface StoredClaim {
  runId: string;
  fingerprint: string;
}

/** Reproducibility runs and their attempts; every state change is a conditional write. */
export interface RunStore {
  createRun(run: RunRecord, claim?: IdempotencyClaim): Promise<{ created: true } | { existing: StoredClaim }>;
  findClaim(projectId: string, claim: IdempotencyClaim): Promise<StoredClaim | undefined>;
  deleteRun(projectId: string, runId: string, keyHash?: string): Promise<void>;
  getRun(projectId: string, runId: string): Promise<RunRecord | undefined>;
  listRuns(projectId: string, query: RunQuery): Promise<Page<RunRecord>>;
  /** queued | running → canceled; the run after, or undefined when it had ended. */
  cancelRun(projectId: string, runId: string, at: string): Promise<RunRecord | undefined>;
  /** queued → running with its start time, once (the first attempt claimed); false when it was not queued. */
  markRunning(projectId: string, runId: string, startedAt: string): Promise<boolean>;
  /** Creates attempt `index` as running; false when it exists (claimed before). */
  claimAttempt(projectId: string, runId: string, attempt: AttemptRecord): Promise<boolean>;
  getAttempt(projectId: string, runId: string, index: number): Promise<AttemptRecord | undefined>;
  attempts(projectId: string, runId: string): Promise<AttemptRecord[]>;
  /** The attempts without their answers (which may be 32 KiB each inline): for views and the sweeper. */
  attemptSummaries(projectId: string, runId: string): Promise<AttemptSummary[]>;
  /** How many attempts of the run have ended (a small read: index and status only). */
  endedAttempts(projectId: string, runId: string): Promise<number>;
  /** running → its outcome; with a token, only the claim that holds it. False when it was not running (under that claim). */
  finishAttempt(projectId: string, runId: string, index: number, outcome: AttemptOutcome, token?: string): Promise<boolean>;
  /** An attempt that never started ends as an error; false when it exists. */
  abandonAttempt(projectId: string, runId: string, index: number, outcome: AttemptOutcome): Promise<boolean>;
  /** queued (or running) → completed, once. */
  completeRun(projectId: string, runId: string, result: RunResult, verdict: NonNullable<RunRecord['verdict']>, startedAt: string, at: string): Promise<boolean>;
  /** queued | running → failed. */
  failRun(projectId: string, runId: string, reason: string, at: string): Promise<boolean>;
  /** Attempts still running past their deadline. */
  overdueAttempts(now: string): Promise<{ project_id: string; run_id: string; index: number }[]>;
  /** Active runs without progress past their stall deadline. */
  stalledRuns(now: string): Promise<{ project_id: string; run_id: string }[]>;
  /** Sets an active run's next stall deadline, counting a re-send of its messages when `kicked`. */
  watchRun(projectId: string, runId: string, stallAt: string, kicked: boolean): Promise<void>;
}

/** Session chunks, payloads and answers too large for a table item. */
export interface BlobStore {
  put(key: string, text: string): Promise<void>;
  get(key: string): Promise<string>;
  delete(key: string): Promise<void>;
}

/** The queue of attempt messages (one message per attempt). */
export interface AttemptQueue {
  send(messages: AttemptMessage[]): Promise<void>;
}

/** A call of the agent's replay endpoint. */
export interface ReplayTarget {
  post(url: string, body: string, options: { timeoutMs: number; headers: Record<string, string> }): Promise<{ status: number; body: string; latencyMs: number }>;
}

/** Why a call of the target failed (timeout, refused address, …), in words safe to show. */
export class TargetCallError extends Error {
  readonly code: string;
  readonly latencyMs: number;
  constructor(code: string, message: string, latencyMs: number) {
    super(message);
    this.name = 'TargetCallError';
    this.code = code;
    this.latencyMs = latencyMs;
  }
}
