import type { ReplayStatus, Submission } from './submission.ts';

/**
 * The deployment a submission without one is listed and counted under. A
 * submission that sends this very string is listed with them: the API has no
 * other way to name "no deployment" in a query string.
 */
export const NO_DEPLOYMENT = '(none)';

/** Narrows the org-wide history; both fields together select their intersection. */
export interface HistoryFilter {
  status?: ReplayStatus | undefined;
  deployment?: string | undefined;
}

/** The deployment a submission is filtered and counted by. */
export function deploymentOf(submission: Pick<Submission, 'deployment'>): string {
  return submission.deployment ?? NO_DEPLOYMENT;
}

/** Whether a submission belongs to the filtered list. */
export function matchesFilter(submission: Submission, filter: HistoryFilter): boolean {
  return (filter.status === undefined || submission.status === filter.status) && (filter.deployment === undefined || deploymentOf(submission) === filter.deployment);
}
