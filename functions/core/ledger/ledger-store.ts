import type { IdempotencyClaim } from '../idempotency.ts';
import type { DailyWindow } from './daily.ts';
import type { HistoryFilter } from './history-filter.ts';
import type { LedgerKind, LedgerTotals, Submission } from './submission.ts';

/** What the ledger needs from storage; `functions/adapters/dynamodb/ledger-store.ts` provides it. */
export interface LedgerStore {
  /**
   * Stores a submission, lists it in every filtered history it belongs to and
   * adds it to the org's, the run's, the filtered lists' and the day's
   * counters, all or nothing. With an idempotency record, the first writer of
   * that key wins and later writers get `existing` back instead of writing anything.
   * A submission whose id is already stored (a job recording its outcome
   * again) writes nothing and comes back as `duplicate`.
   */
  record(
    entry: LedgerEntry,
  ): Promise<{ created: Submission } | { existing: { fingerprint: string; submission: Submission } } | { duplicate: Submission }>;
  /**
   * Newest first, in the list the filter selects (the whole org without one);
   * `afterId` continues after that item, `skip` skips that many first.
   */
  listOrg(orgId: string, page: PageRequest, filter?: HistoryFilter): Promise<Page>;
  listRun(orgId: string, runId: string, page: PageRequest): Promise<Page>;
  /** Submissions in the list the filter selects; the org's total without one. */
  count(orgId: string, filter?: HistoryFilter): Promise<number>;
  /** Submissions recorded for the run; 0 when the org has none. */
  runTotal(orgId: string, runId: string): Promise<number>;
  totals(orgId: string): Promise<LedgerTotals>;
  /** Per-day, per-deployment counts from `from` to `to` (UTC days, inclusive), of one kind or all; days without submissions are absent. */
  daily(orgId: string, from: string, to: string, kind: LedgerKind | undefined, maxCounters: number): Promise<DailyWindow>;
}

export interface LedgerEntry {
  orgId: string;
  submission: Submission;
  costSavedMicros: number;
  /** The UTC day the submission counts on (`YYYY-MM-DD`). */
  day: string;
  /** The deployment it is filtered and counted by (`NO_DEPLOYMENT` when it has none). */
  deployment: string;
  idempotency?: IdempotencyClaim;
}

export interface PageRequest {
  limit: number;
  skip?: number;
  afterId?: string;
}

export interface Page {
  items: Submission[];
  /** Set when more items follow the last one served. */
  hasMore: boolean;
}
