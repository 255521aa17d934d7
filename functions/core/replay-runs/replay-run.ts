import type { FullFidelityOptions } from './full-fidelity/options.ts';
import type { ChunkPlan } from './full-fidelity/plan.ts';
import type { ResolvedSide } from './routing.ts';

export const REPLAY_CLASSES = [
  'routing_simulation',
  'synthetic_performance',
  'tokenized_performance',
  'full_fidelity_evaluation',
  'purge_verification',
] as const;
export type ReplayClass = (typeof REPLAY_CLASSES)[number];

export type RunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'canceled';

/** The run object of the API. */
export interface ReplayRun {
  id: string;
  object: 'replay_run';
  project_id: string;
  created_at: string;
  status: RunStatus;
  baseline: string;
  candidate: string;
  replay_class: ReplayClass;
  traffic_manifest_ref: string | null;
  repetitions: number;
  concurrency: number;
  scheduled_for: string | null;
  started_at: string | null;
  completed_at: string | null;
  failure_reason: string | null;
  attempt: number;
  manifest_size: number;
  metrics: Record<string, unknown> | null;
  /** full_fidelity_evaluation: the run's budget (USD); null for other classes. */
  max_spend_usd: number | null;
  /** full_fidelity_evaluation: counts that move while it runs; null for other classes. */
  progress: RunProgress | null;
}

/** How far a full-fidelity run has got (pairs: trace × repetition, one request per side). */
export interface RunProgress {
  chunks_total: number;
  chunks_done: number;
  pairs_total: number;
  pairs_done: number;
  failures: number;
  dropped: number;
  spent_usd: number;
}

/** What the platform keeps with a run besides its API object. */
export interface RunRecord {
  run: ReplayRun;
  /** Where the manifest lives in the artifacts bucket (null for classes without one). */
  manifestKey: string | null;
  /** The summary of the manifest, for the report. */
  manifestSummary: Record<string, unknown> | null;
  /** Baseline and candidate as resolved at create: a run pins them. */
  resolved: { baseline: ResolvedSide; candidate: ResolvedSide };
  /** When the run should start (created_at or scheduled_for). */
  dueAt: string;
  /** Set while running: when the sweeper may declare the worker dead. */
  deadlineAt: string | null;
  /** Pinned at completion. */
  report: PinnedReport | null;
  /** The org of the key that created the run (its outcome goes to that org's ledger); null on runs stored before. */
  orgId: string | null;
  /** full_fidelity_evaluation: what it was asked for, how it is cut into chunks, its budget estimate. */
  fullFidelity: { options: FullFidelityOptions; plan: ChunkPlan; estimateMicros: number } | null;
  /** full_fidelity_evaluation: the run's counts as its chunks settle (kept by the store). */
  counts: RunCounts | null;
}

/** A full-fidelity run's counts, added to by each chunk as it settles. */
export interface RunCounts {
  chunksDone: number;
  pairsDone: number;
  failures: number;
  dropped: number;
  spentMicros: number;
  /** Spent plus what running chunks hold: never more than the budget when a chunk is granted more. */
  committedMicros: number;
  budgetStopped: boolean;
  headsSent: boolean;
  /** Actual over estimated cost of the requests answered so far (1 before any). */
  costRatio: number;
}

/** The part of a report that is fixed at completion and covered by the evidence digest. */
export interface PinnedReport {
  provenance: Record<string, unknown>;
  traffic_manifest: Record<string, unknown>;
  metrics: Record<string, unknown>;
  evidence_digest: string;
  recommended_profile: string;
}

/** The message that starts a run, from the queue or from a schedule. */
export interface RunMessage {
  project_id: string;
  run_id: string;
}

/** Timestamps as the API shows them: RFC 3339, UTC, whole seconds. */
export function apiTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * A time that must not lose its milliseconds (`scheduled_for`, `started_at`,
 * `completed_at`: a run starts at or after its time and ends after it starts,
 * and the times must show it): whole seconds stay as `apiTime` shows them,
 * anything else keeps its milliseconds.
 */
export function preciseTime(date: Date): string {
  return date.getUTCMilliseconds() === 0 ? apiTime(date) : date.toISOString();
}

/** Times the store sorts and compares as text (due times, deadlines): always with milliseconds, so one width. */
export function sortableTime(date: Date): string {
  return date.toISOString();
}
