import type { LedgerKind, ReplayStatus, Submission } from './submission.ts';

/**
 * The deployment a submission without one is listed and counted under. A
 * submission that sends this very string is listed with them: the API has no
 * other way to name "no deployment" in a query string.
 */
export const NO_DEPLOYMENT = '(none)';

/** Narrows the org-wide history; fields together select their intersection. */
export interface HistoryFilter {
  kind?: LedgerKind | undefined;
  status?: ReplayStatus | undefined;
  deployment?: string | undefined;
}

/** The deployment a submission is filtered and counted by. */
export function deploymentOf(submission: Pick<Submission, 'deployment'>): string {
  return submission.deployment ?? NO_DEPLOYMENT;
}

/** Whether a submission belongs to the filtered list. */
export function matchesFilter(submission: Submission, filter: HistoryFilter): boolean {
  return (
    (filter.kind === undefined || submission.kind === filter.kind) &&
    (filter.status === undefined || submission.status === filter.status) &&
    (filter.deployment === undefined || deploymentOf(submission) === filter.deployment)
  );
}

/** Every non-empty combination of the submission's kind, status and deployment: the filtered lists it belongs to. */
export function filtersOf(submission: Pick<Submission, 'kind' | 'status' | 'deployment'>): HistoryFilter[] {
  const dimensions: HistoryFilter[] = [{ kind: submission.kind }, { status: submission.status }, { deployment: deploymentOf(submission) }];
  return Array.from({ length: 2 ** dimensions.length - 1 }, (_, i) =>
    Object.assign({}, ...dimensions.filter((_, bit) => ((i + 1) >> bit) & 1)) as HistoryFilter,
  );
}
