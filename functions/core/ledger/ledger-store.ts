import type { LedgerTotals, Submission } from './submission.ts';

/** What the ledger needs from storage; `functions/adapters/dynamodb/ledger-store.ts` provides it. */
export interface LedgerStore {
  /**
   * Stores a submission and adds it to the org's and the run's counters, all
   * or nothing. With an idempotency record, the first writer of that key wins
   * and later writers get `existing` back instead of writing anything.
   */
  record(entry: LedgerEntry): Promise<{ created: Submission } | { existing: { fingerprint: string; submission: Submission } }>;
  /** Newest first; `afterId` continues after that item, `skip` skips that many first. */
  listOrg(orgId: string, page: PageRequest): Promise<Page>;
  listRun(orgId: string, runId: string, page: PageRequest): Promise<Page>;
  /** Submissions recorded for the run; 0 when the org has none. */
  runTotal(orgId: string, runId: string): Promise<number>;
  totals(orgId: string): Promise<LedgerTotals>;
}

export interface LedgerEntry {
  orgId: string;
  submission: Submission;
  costSavedMicros: number;
  idempotency?: { keyHash: string; fingerprint: string; expiresAtEpochSeconds: number; nowEpochSeconds: number };
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
