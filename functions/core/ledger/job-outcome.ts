import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { ledgerLimits as L } from './limits.ts';
import type { DivergenceDetail, LedgerKind, ReplayResultInput, Submission } from './submission.ts';

/**
 * How a job of the platform (a reproducibility run, a session replay, a
 * replay run, a detached replay) ended, as it goes into its org's ledger so
 * the Replay Hub shows every replay in one place.
 */
export interface JobOutcome {
  kind: Exclude<LedgerKind, 'sdk'>;
  /** The job's id; the ledger's `run_id`. */
  runId: string;
  status: ReplayResultInput['status'];
  actions_total: number;
  actions_replayed: number;
  divergences: number;
  cost_savings?: number | undefined;
  divergence_details?: DivergenceDetail[] | undefined;
  deployment?: string | undefined;
  started_at?: string | undefined;
  /** When the job ended, as stored with the job: the same outcome recorded again must carry the same time. */
  finished_at: string;
}

/** Records a job's outcome in its org's ledger, once: recording the same outcome again writes nothing. */
export type RecordJobOutcome = (orgId: string, outcome: JobOutcome) => Promise<void>;

/**
 * The submission id of a job's outcome: a UUID v7 at the job's end time whose
 * random part comes from the job's kind and id, so a redelivered message or a
 * retried worker that records it again writes to the same item.
 */
export function outcomeSubmissionId(outcome: Pick<JobOutcome, 'kind' | 'runId' | 'finished_at'>): string {
  const random = createHash('sha256').update(`${outcome.kind}:${outcome.runId}`, 'utf8').digest().subarray(0, 16);
  return uuidv7({ msecs: Date.parse(outcome.finished_at), random: new Uint8Array(random) });
}

/** The ledger submission of an outcome, within the ledger's limits (details beyond them are cut, not refused). */
export function outcomeSubmission(outcome: JobOutcome, submittedAt: string): Submission {
  const details = outcome.divergence_details?.slice(0, L.maxDivergenceDetails).map(withinLimits);
  const clamp = (n: number) => Math.min(L.maxCount, Math.max(0, Math.floor(n)));
  const total = clamp(outcome.actions_total);
  return {
    id: outcomeSubmissionId(outcome),
    run_id: outcome.runId,
    submitted_at: submittedAt,
    kind: outcome.kind,
    status: outcome.status,
    actions_total: total,
    actions_replayed: Math.min(total, clamp(outcome.actions_replayed)),
    divergences: clamp(outcome.divergences),
    cost_savings: Math.min(L.maxCostSavingsUsd, Math.max(0, outcome.cost_savings ?? 0)),
    ...(details && details.length > 0 ? { divergence_details: details } : {}),
    ...(outcome.deployment ? { deployment: outcome.deployment.slice(0, L.maxTextChars) } : {}),
    ...(outcome.started_at ? { started_at: outcome.started_at } : {}),
    finished_at: outcome.finished_at,
  };
}

function withinLimits(detail: DivergenceDetail): DivergenceDetail {
  // A value too long as JSON becomes the start of its JSON text, itself within the limit once serialised (escapes included).
  const cut = (value: unknown) => {
    const text = JSON.stringify(value);
    if (text === undefined || text.length <= L.maxDetailValueChars) return value;
    let kept = L.maxDetailValueChars;
    let shortened = text;
    while (JSON.stringify(shortened).length > L.maxDetailValueChars) shortened = `${text.slice(0, (kept -= 64))}…`;
    return shortened;
  };
  return {
    action_id: detail.action_id.slice(0, L.maxTextChars),
    field: detail.field,
    ...(detail.recorded === undefined ? {} : { recorded: cut(detail.recorded) }),
    ...(detail.replayed === undefined ? {} : { replayed: cut(detail.replayed) }),
  };
}
