import type { IdempotencyClaim } from '../idempotency.ts';
import type { AliasRelease } from './routing.ts';
import type { PinnedReport, ReplayRun, RunMessage, RunRecord, RunStatus } from './replay-run.ts';
import type { TraceEnvelope } from './trace.ts';

export interface Page<T> {
  items: T[];
  hasMore: boolean;
}

/** Runs, aliases and usage events of projects (DynamoDB on AWS). */
export interface ReplayStore {
  /**
   * Stores a new run. With an idempotency claim the run and the claim are
   * written together; when the key is already claimed nothing is written and
   * the claim's run comes back as `existing`.
   */
  createRun(record: RunRecord, idempotency?: IdempotencyClaim): Promise<{ created: true } | { existing: StoredClaim }>;
  /** The run an unexpired idempotency key was first used for. */
  findClaim(projectId: string, claim: IdempotencyClaim): Promise<StoredClaim | undefined>;
  /** Removes a run that could not be enqueued, and its idempotency claim (so nothing half-made is left). */
  deleteRun(projectId: string, runId: string, idempotencyKeyHash?: string): Promise<void>;
  getRun(projectId: string, runId: string): Promise<RunRecord | undefined>;
  listRuns(projectId: string, page: { limit: number; afterId?: string }): Promise<Page<ReplayRun>>;
  /** queued → running, `attempt` + 1; `undefined` when the run was not queued. */
  claim(projectId: string, runId: string, at: { startedAt: string; deadlineAt: string }): Promise<RunRecord | undefined>;
  /** running (at `attempt`) → completed with its pinned report; false when the run was no longer that. */
  complete(projectId: string, runId: string, attempt: number, completedAt: string, report: PinnedReport): Promise<boolean>;
  /** → failed, only from `from` (and at `attempt` when given); false when the run was not in that state. */
  fail(projectId: string, runId: string, reason: string, completedAt: string, from: RunStatus, attempt?: number): Promise<boolean>;
  /** queued → canceled; the run after the change, or `undefined` when it was not queued. */
  cancel(projectId: string, runId: string, at: string): Promise<RunRecord | undefined>;
  /** Runs the sweeper must look at: running past their deadline, queued past their due time. */
  overdue(now: string, queuedDueBefore: string): Promise<{ running: RunMessage[]; queued: RunMessage[] }>;
  /** After re-sending a queued run's message, look at it again only after `until`. */
  postponeSweep(projectId: string, runId: string, until: string): Promise<void>;

  putAlias(projectId: string, alias: Omit<AliasRelease, 'version'>, updatedAt: string): Promise<AliasRelease & { updated_at: string }>;
  listAliases(projectId: string): Promise<(AliasRelease & { updated_at: string })[]>;

  recordUsage(projectId: string, events: UsageEvent[]): Promise<void>;
  listUsage(projectId: string, page: { limit: number; afterKey?: string }): Promise<Page<UsageEvent> & { lastKey?: string }>;
  /** The project's newest `count` usage events, newest first. */
  latestUsage(projectId: string, count: number): Promise<UsageEvent[]>;
}

/** An idempotency key as stored: the run it created and the fingerprint of the request that did. */
export interface StoredClaim {
  runId: string;
  fingerprint: string;
}

/** A recorded request: token shape and timing, never prompt text. */
export interface UsageEvent {
  id: string;
  target: string;
  input_tokens: number;
  output_tokens: number;
  reused_tokens: number;
  ttft_ms: number | null;
  latency_ms: number | null;
  namespace_generation: string | null;
  occurred_at: string;
}

/** Manifests are large: they live in object storage, never in a table item. */
export interface ManifestStore {
  put(key: string, traces: TraceEnvelope[]): Promise<void>;
  get(key: string): Promise<TraceEnvelope[]>;
  delete(key: string): Promise<void>;
}

/** Starts runs: now (a queue message) or at a time (a one-time schedule that sends the same message). */
export interface RunDispatcher {
  enqueue(message: RunMessage): Promise<void>;
  scheduleAt(message: RunMessage, at: Date): Promise<void>;
  /** Deletes a run's schedule; fine when there is none. */
  unschedule(message: RunMessage): Promise<void>;
}
