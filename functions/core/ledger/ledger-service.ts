import { ConflictError, NotFoundError } from '../errors.ts';
import { idempotencyClaim } from '../idempotency.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { capDeployments, dayWindow, sortDailyCounts, utcDayOf, type DailyStats } from './daily.ts';
import { deploymentOf, type HistoryFilter } from './history-filter.ts';
import type { LedgerStore, Page } from './ledger-store.ts';
import { ledgerLimits } from './limits.ts';
import type { HistoryPage, RunHistoryPage } from './pages.ts';
import { outcomeSubmission, type JobOutcome } from './job-outcome.ts';
import { DEFAULT_KIND, toStats, usdToMicros, withoutDetails, type LedgerKind, type LedgerStats, type ReplayResultInput, type Submission } from './submission.ts';

export type { HistoryPage, RunHistoryPage } from './pages.ts';

export interface LedgerDependencies {
  store: LedgerStore;
  now: () => Date;
  newId: () => string;
}

export interface HistoryQuery extends HistoryFilter {
  limit: number;
  skip: number;
  cursor?: string | undefined;
}

/** The replay ledger's use cases; pure logic over a `LedgerStore`. */
export function createLedgerService({ store, now, newId }: LedgerDependencies) {
  return {
    /**
     * Records an SDK's replay summary. With an idempotency key, a retry of the
     * same body returns the first submission (`replayed: true`); the same key
     * with another body is a conflict.
     */
    async submit(orgId: string, runId: string, input: ReplayResultInput, idempotencyKey?: string) {
      const at = now();
      const submission: Submission = { id: newId(), run_id: runId, submitted_at: at.toISOString(), ...input, kind: input.kind ?? DEFAULT_KIND };
      // Two requests are the same when their run and canonical JSON bodies match.
      const claim = idempotencyKey ? idempotencyClaim(idempotencyKey, { run_id: runId, input }, at, ledgerLimits.idempotencyWindowHours) : undefined;
      const outcome = await store.record({
        orgId,
        submission,
        costSavedMicros: usdToMicros(input.cost_savings),
        day: utcDayOf(at),
        deployment: deploymentOf(input),
        ...(claim ? { idempotency: claim } : {}),
      });
      if ('created' in outcome) return { submission: outcome.created, replayed: false };
      if ('duplicate' in outcome) throw new Error(`Submission id ${submission.id} was already used`);
      if (outcome.existing.fingerprint !== claim?.fingerprint) {
        throw new ConflictError('This Idempotency-Key was already used with a different request body', 'idempotency_key_reused');
      }
      return { submission: outcome.existing.submission, replayed: true };
    },

    /**
     * A page of the org-wide history, newest first; `status` and `deployment`
     * narrow it to the submissions with both. A cursor is a position in time
     * ("older than the last item served"), so it continues whichever list it is sent with.
     */
    async history(orgId: string, query: HistoryQuery): Promise<HistoryPage> {
      const afterId = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      const filter: HistoryFilter = {
        ...(query.kind === undefined ? {} : { kind: query.kind }),
        ...(query.status === undefined ? {} : { status: query.status }),
        ...(query.deployment === undefined ? {} : { deployment: query.deployment }),
      };
      const [page, total] = await Promise.all([
        store.listOrg(orgId, { limit: query.limit, ...(afterId ? { afterId } : { skip: query.skip }) }, filter),
        store.count(orgId, filter),
      ]);
      return {
        items: page.items.map(withoutDetails),
        total,
        skip: query.skip,
        limit: query.limit,
        next_cursor: nextCursor(page),
      };
    },

    async runHistory(orgId: string, runId: string, query: { limit: number; cursor?: string | undefined }): Promise<RunHistoryPage> {
      const afterId = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      const [page, total] = await Promise.all([
        store.listRun(orgId, runId, { limit: query.limit, ...(afterId ? { afterId } : {}) }),
        store.runTotal(orgId, runId),
      ]);
      if (total === 0) throw new NotFoundError(`No replay results were submitted for run ${runId}`, 'run_not_found');
      return { run_id: runId, items: page.items, total, next_cursor: nextCursor(page) };
    },

    async stats(orgId: string): Promise<LedgerStats> {
      return toStats(await store.totals(orgId));
    },

    /** Submissions and divergences per UTC day and deployment over the last `days` days (today included), of one kind or all. */
    async dailyStats(orgId: string, query: { days: number; kind?: LedgerKind | undefined }): Promise<DailyStats> {
      const window = dayWindow(now(), query.days);
      const read = await store.daily(orgId, window.from, window.to, query.kind, ledgerLimits.maxDailyCountersRead);
      // Cut by the read limit: the answer starts at the oldest day read whole, and says so in `from`.
      const from = read.complete ? window.from : (read.firstWholeDay ?? window.to);
      const counts = read.items.filter((count) => count.day >= from);
      return { days: query.days, from, to: window.to, items: sortDailyCounts(capDeployments(counts, ledgerLimits.maxDailyDeployments)) };
    },

    /**
     * Records how a job of the platform ended (see `JobOutcome`): counted in
     * the org's stats, listed by kind, and written once however often it is called.
     */
    async recordOutcome(orgId: string, outcome: JobOutcome): Promise<void> {
      const at = now();
      const submission = outcomeSubmission(outcome, at.toISOString());
      await store.record({ orgId, submission, costSavedMicros: usdToMicros(submission.cost_savings), day: utcDayOf(at), deployment: deploymentOf(submission) });
    },
  };
}

export type LedgerService = ReturnType<typeof createLedgerService>;

function nextCursor(page: Page): string | null {
  const last = page.items.at(-1);
  return page.hasMore && last ? encodeCursor(last.id) : null;
}
