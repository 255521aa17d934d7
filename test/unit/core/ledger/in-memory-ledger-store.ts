import type { LedgerEntry, LedgerStore, Page, PageRequest } from '../../../../functions/core/ledger/ledger-store.ts';
import type { LedgerTotals, Submission } from '../../../../functions/core/ledger/submission.ts';

/** A faithful in-memory LedgerStore for unit tests of the ledger service. */
export function inMemoryLedgerStore(): LedgerStore & { submissions: Map<string, Submission[]> } {
  const submissions = new Map<string, Submission[]>();
  const totals = new Map<string, LedgerTotals>();
  const idempotency = new Map<string, { fingerprint: string; submission: Submission; expiresAt: number }>();

  const page = (items: Submission[], request: PageRequest): Page => {
    const newestFirst = [...items].sort((a, b) => (a.id < b.id ? 1 : -1));
    const start = request.afterId ? newestFirst.findIndex((s) => s.id < request.afterId!) : (request.skip ?? 0);
    const from = start < 0 ? newestFirst.length : start;
    return { items: newestFirst.slice(from, from + request.limit), hasMore: newestFirst.length > from + request.limit };
  };

  return {
    submissions,
    async record(entry: LedgerEntry) {
      const key = entry.idempotency && `${entry.orgId}/${entry.idempotency.keyHash}`;
      const existing = key ? idempotency.get(key) : undefined;
      if (existing && existing.expiresAt >= entry.idempotency!.nowEpochSeconds) {
        return { existing: { fingerprint: existing.fingerprint, submission: existing.submission } };
      }
      const list = submissions.get(entry.orgId) ?? [];
      list.push(entry.submission);
      submissions.set(entry.orgId, list);
      const t = totals.get(entry.orgId) ?? { submissions: 0, actionsReplayed: 0, divergences: 0, costSavedMicros: 0 };
      totals.set(entry.orgId, {
        submissions: t.submissions + 1,
        actionsReplayed: t.actionsReplayed + entry.submission.actions_replayed,
        divergences: t.divergences + entry.submission.divergences,
        costSavedMicros: t.costSavedMicros + entry.costSavedMicros,
      });
      if (key) idempotency.set(key, { fingerprint: entry.idempotency!.fingerprint, submission: entry.submission, expiresAt: entry.idempotency!.expiresAtEpochSeconds });
      return { created: entry.submission };
    },
    listOrg: async (orgId, request) => page(submissions.get(orgId) ?? [], request),
    listRun: async (orgId, runId, request) => page((submissions.get(orgId) ?? []).filter((s) => s.run_id === runId), request),
    runTotal: async (orgId, runId) => (submissions.get(orgId) ?? []).filter((s) => s.run_id === runId).length,
    totals: async (orgId) => totals.get(orgId) ?? { submissions: 0, actionsReplayed: 0, divergences: 0, costSavedMicros: 0 },
  };
}
