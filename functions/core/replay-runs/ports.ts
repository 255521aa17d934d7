import type { IdempotencyClaim } from '../idempotency.ts';
import type { ChunkOutcome } from './full-fidelity/execute-chunk.ts';
import type { NamespaceRecord } from './namespaces.ts';
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

  /**
   * Creates or updates an alias; `'limit'` when it is new and the project
   * already has `maxAliases` (nothing is written then).
   */
  putAlias(projectId: string, alias: Omit<AliasRelease, 'version'>, updatedAt: string, maxAliases: number): Promise<(AliasRelease & { updated_at: string }) | 'limit'>;
  /** The project's aliases, at most `max`. */
  listAliases(projectId: string, max: number): Promise<(AliasRelease & { updated_at: string })[]>;
  /** The aliases of these names that the project has (a few items read by key, never a listing). */
  getAliases(projectId: string, names: readonly string[]): Promise<AliasRelease[]>;

  recordUsage(projectId: string, events: UsageEvent[]): Promise<void>;
  listUsage(projectId: string, page: { limit: number; afterKey?: string }): Promise<Page<UsageEvent> & { lastKey?: string }>;
  /** The project's newest `count` usage events, newest first. */
  latestUsage(projectId: string, count: number): Promise<UsageEvent[]>;

  getSettings(projectId: string): Promise<ProjectSettings>;
  putSettings(projectId: string, settings: Omit<ProjectSettings, 'updated_at'>, at: string): Promise<ProjectSettings>;
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
  /** `delaySeconds` (at most 900) holds the message back that long. */
  enqueue(message: RunMessage, options?: { delaySeconds?: number }): Promise<void>;
  /** Creates the run's one-time schedule; fine when it exists already (a retried create). */
  scheduleAt(message: RunMessage, at: Date): Promise<void>;
  /** Deletes a run's schedule; fine when there is none. */
  unschedule(message: RunMessage): Promise<void>;
}

/** A chunk of a full-fidelity run: the message that runs it, and how its items are named. */
export interface ChunkMessage {
  project_id: string;
  run_id: string;
  chunk: number;
}

/** What a delivery of a chunk's message finds. */
export type ChunkClaim =
  /** This delivery runs the chunk (attempt 1 of it). */
  | { state: 'claimed'; attempt: number }
  /** Done before: only the lane's next message (unless sent) and the run's completion remain. */
  | { state: 'done'; nextSent: boolean }
  /** Another worker holds the chunk and its lease has not run out: let SQS deliver it again later. */
  | { state: 'busy'; leaseUntil: string }
  /** Its worker stopped (the lease ran out): the chunk is settled as failures, never re-sent. */
  | { state: 'abandoned'; attempt: number; blockMicros: number; claimedAt: string };

/** How a chunk ended, as added to its run's counts (with its done mark, in one transaction). */
export interface ChunkSettlement {
  pairs: number;
  failures: number;
  dropped: number;
  spentMicros: number;
  /** The budget the chunk held; released from the run's committed spend. */
  blockMicros: number;
  budgetStopped: boolean;
  /** Estimate and actual cost of its requests that reported usage (the run's cost ratio adds them up). */
  estimatedMicros: number;
  actualMicros: number;
}

/** Chunk items and the run's budget and progress counts (DynamoDB on AWS); every change conditional. */
export interface ChunkStore {
  claimChunk(message: ChunkMessage, at: { now: string; leaseUntil: string }): Promise<ChunkClaim>;
  /**
   * Grants the chunk up to `wantMicros` more of the run's budget (`budgetMicros`),
   * as much as is left: committed spend never passes the budget. Recorded on the
   * chunk's item too, so a chunk whose worker stops counts what it held.
   */
  reserve(message: ChunkMessage, attempt: number, wantMicros: number, budgetMicros: number): Promise<number>;
  /**
   * Marks the chunk done at `attempt` and adds its settlement to the run (still
   * running at `runAttempt`), moving the run's deadline to `deadlineAt`; false
   * when the chunk or the run was no longer in that state.
   */
  completeChunk(message: ChunkMessage, attempt: number, settlement: ChunkSettlement, runAttempt: number, at: string, deadlineAt: string): Promise<boolean>;
  /** The lane's next chunk message was sent. */
  markNextSent(message: ChunkMessage): Promise<void>;
  /** The run's first chunk messages (one per lane) were sent. */
  markHeadsSent(projectId: string, runId: string): Promise<void>;
}

/** Per-chunk results, in object storage. */
export interface ChunkResultStore {
  put(key: string, outcome: ChunkOutcome): Promise<void>;
  get(key: string): Promise<ChunkOutcome>;
}

export interface ChunkDispatcher {
  send(messages: ChunkMessage[]): Promise<void>;
}

/** A project's namespaces and their purges. */
export interface NamespaceStore {
  /**
   * Ends the namespace's current generation now (`now()`, taken for each try,
   * and never before the previous purge, so a history is in time order);
   * the generation purged, the one that starts, and the purge's time.
   */
  purge(projectId: string, namespace: string, now: () => string, maxPurges: number): Promise<{ purged_generation: number; generation: number; purged_at: string } | 'limit'>;
  list(projectId: string, page: { limit: number; afterName?: string }): Promise<Page<NamespaceRecord>>;
  /** The records of these namespaces (those never purged are absent). */
  get(projectId: string, names: readonly string[]): Promise<Map<string, NamespaceRecord>>;
}

/** Settings of a project's replay runs. */
export interface ProjectSettings {
  default_max_spend_usd: number | null;
  updated_at: string | null;
}
