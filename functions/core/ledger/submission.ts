/** The replay ledger's domain: what an SDK reports after a local replay. */

export const REPLAY_STATUSES = ['success', 'partial', 'failed'] as const;
export type ReplayStatus = (typeof REPLAY_STATUSES)[number];

/**
 * What kind of replay a submission records: an SDK's local replay (the
 * default), or a job of one of the platform's own capabilities, which each
 * write one submission when they end.
 */
export const LEDGER_KINDS = ['sdk', 'reproducibility', 'session_replay', 'replay_run', 'detached_replay'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];
export const DEFAULT_KIND: LedgerKind = 'sdk';

export interface DivergenceDetail {
  action_id: string;
  field: 'input' | 'output';
  recorded?: unknown;
  replayed?: unknown;
}

/** The body of `POST /api/v1/replay/{run_id}/results`. */
export interface ReplayResultInput {
  status: ReplayStatus;
  /** `sdk` when not given. */
  kind?: LedgerKind | undefined;
  actions_replayed: number;
  actions_total: number;
  divergences: number;
  cost_savings: number;
  divergence_details?: DivergenceDetail[] | undefined;
  deployment?: string | undefined;
  sdk_version?: string | undefined;
  started_at?: string | undefined;
  finished_at?: string | undefined;
}

/** A stored submission. `divergence_details` is kept with the run, not in the org-wide list. */
export interface Submission extends ReplayResultInput {
  kind: LedgerKind;
  id: string;
  run_id: string;
  submitted_at: string;
}

/** The org's running totals, kept by atomic counters on every write. */
export interface LedgerTotals {
  submissions: number;
  actionsReplayed: number;
  divergences: number;
  costSavedMicros: number;
}

export interface LedgerStats {
  submissions: number;
  actions_replayed: number;
  divergences: number;
  /** USD. */
  cost_saved: number;
}

/** Money is summed in integer micro-USD so that a million additions do not drift. */
export function usdToMicros(usd: number): number {
  return Math.round(usd * 1_000_000);
}

export function microsToUsd(micros: number): number {
  return micros / 1_000_000;
}

export function toStats(totals: LedgerTotals): LedgerStats {
  return {
    submissions: totals.submissions,
    actions_replayed: totals.actionsReplayed,
    divergences: totals.divergences,
    cost_saved: microsToUsd(totals.costSavedMicros),
  };
}

/** The org-wide history item: the submission without its per-action details. */
export function withoutDetails(submission: Submission): Submission {
  const { divergence_details: _details, ...rest } = submission;
  return rest;
}
