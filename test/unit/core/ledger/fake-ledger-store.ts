import { claimExpired } from '../../../../functions/core/idempotency.ts';
import { windowOf, type DailyCount } from '../../../../functions/core/ledger/daily.ts';
import { matchesFilter, type HistoryFilter } from '../../../../functions/core/ledger/history-filter.ts';
import type { LedgerEntry, LedgerStore, Page, PageRequest } from '../../../../functions/core/ledger/ledger-store.ts';
import type { LedgerTotals, Submission } from '../../../../functions/core/ledger/submission.ts';

interface IdempotencyRecord {
  fingerprint: string;
  submission: Submission;
  expiresAtEpochSeconds: number;
}

const zero = (): LedgerTotals => ({ submissions: 0, actionsReplayed: 0, divergences: 0, costSavedMicros: 0 });

/**
 * An in-memory `LedgerStore` that keeps the interface's promises: newest first
 * by id, `afterId` continues strictly after that id, `skip` skips, `hasMore`
 * says whether anything follows the page, totals move with every write, and
 * the first writer of an unexpired idempotency key wins. It records every
 * call so tests can see what the service asked for.
 */
export function fakeLedgerStore() {
  const byOrg = new Map<string, Submission[]>();
  const totalsByOrg = new Map<string, LedgerTotals>();
  const keys = new Map<string, IdempotencyRecord>();
  const entries: LedgerEntry[] = [];
  const pageRequests: { orgId: string; runId?: string; request: PageRequest; filter?: HistoryFilter }[] = [];
  // Keyed by org, then `<day>#<deployment>`, as the DynamoDB adapter keys its counters.
  const dailyByOrg = new Map<string, Map<string, DailyCount>>();

  const pageOf = (items: Submission[], request: PageRequest): Page => {
    const newestFirst = [...items].sort((a, b) => (a.id === b.id ? 0 : a.id < b.id ? 1 : -1));
    const remaining = request.afterId === undefined ? newestFirst.slice(request.skip ?? 0) : newestFirst.filter((s) => s.id < request.afterId!);
    return { items: structuredClone(remaining.slice(0, request.limit)), hasMore: remaining.length > request.limit };
  };

  const store: LedgerStore = {
    async record(entry) {
      entries.push(structuredClone(entry));
      const idempotencyKey = entry.idempotency && `${entry.orgId}\u0000${entry.idempotency.keyHash}`;
      if (idempotencyKey) {
        const existing = keys.get(idempotencyKey);
        if (existing && !claimExpired(existing.expiresAtEpochSeconds, entry.idempotency!.nowEpochSeconds)) {
          return { existing: { fingerprint: existing.fingerprint, submission: structuredClone(existing.submission) } };
        }
      }
      const duplicate = (byOrg.get(entry.orgId) ?? []).find((s) => s.id === entry.submission.id);
      if (duplicate) return { duplicate: structuredClone(duplicate) };
      const submission = structuredClone(entry.submission);
      byOrg.set(entry.orgId, [...(byOrg.get(entry.orgId) ?? []), submission]);
      const t = totalsByOrg.get(entry.orgId) ?? zero();
      totalsByOrg.set(entry.orgId, {
        submissions: t.submissions + 1,
        actionsReplayed: t.actionsReplayed + submission.actions_replayed,
        divergences: t.divergences + submission.divergences,
        costSavedMicros: t.costSavedMicros + entry.costSavedMicros,
      });
      for (const scope of [entry.orgId, `${entry.orgId}#KIND#${submission.kind}`]) {
        const daily = dailyByOrg.get(scope) ?? new Map<string, DailyCount>();
        const key = `${entry.day}#${entry.deployment}`;
        const count = daily.get(key) ?? { day: entry.day, deployment: entry.deployment, submissions: 0, divergences: 0 };
        daily.set(key, { ...count, submissions: count.submissions + 1, divergences: count.divergences + submission.divergences });
        dailyByOrg.set(scope, daily);
      }
      if (idempotencyKey) {
        keys.set(idempotencyKey, {
          fingerprint: entry.idempotency!.fingerprint,
          submission,
          expiresAtEpochSeconds: entry.idempotency!.expiresAtEpochSeconds,
        });
      }
      return { created: structuredClone(submission) };
    },
    async listOrg(orgId, request, filter = {}) {
      pageRequests.push({ orgId, request: { ...request }, ...(Object.keys(filter).length ? { filter: { ...filter } } : {}) });
      return pageOf((byOrg.get(orgId) ?? []).filter((s) => matchesFilter(s, filter)), request);
    },
    async listRun(orgId, runId, request) {
      pageRequests.push({ orgId, runId, request: { ...request } });
      return pageOf((byOrg.get(orgId) ?? []).filter((s) => s.run_id === runId), request);
    },
    async count(orgId, filter = {}) {
      return (byOrg.get(orgId) ?? []).filter((s) => matchesFilter(s, filter)).length;
    },
    async runTotal(orgId, runId) {
      return (byOrg.get(orgId) ?? []).filter((s) => s.run_id === runId).length;
    },
    async totals(orgId) {
      return { ...(totalsByOrg.get(orgId) ?? zero()) };
    },
    async daily(orgId, from, to, kind, maxCounters) {
      // Newest day first, as the DynamoDB adapter reads them; within a day by deployment (the service sorts).
      const counts = [...(dailyByOrg.get(kind === undefined ? orgId : `${orgId}#KIND#${kind}`)?.values() ?? [])]
        .filter((c) => c.day >= from && c.day <= to)
        .sort((a, b) => (a.day === b.day ? (a.deployment < b.deployment ? 1 : -1) : a.day < b.day ? 1 : -1));
      return windowOf(structuredClone(counts), maxCounters);
    },
  };

  return {
    store,
    /** Every entry handed to `record`, in order. */
    entries,
    /** Every page request handed to `listOrg` / `listRun`, in order. */
    pageRequests,
    stored: (orgId: string) => byOrg.get(orgId) ?? [],
  };
}
