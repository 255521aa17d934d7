import type { JobOutcome } from '../ledger/job-outcome.ts';
import { ledgerLimits } from '../ledger/limits.ts';
import type { ReplayRecord, ReplayResult } from './model.ts';
import { resultsKey } from './object-keys.ts';
import type { ObjectStore } from './ports.ts';

/**
 * A completed replay as its ledger submission: actions are its requests,
 * divergences the failed ones (each a detail: recorded vs replayed status or
 * error), its deployment the target's host.
 */
export function replayOutcome(replay: ReplayRecord, failures: ReplayResult[]): JobOutcome {
  return {
    kind: 'session_replay',
    runId: replay.id,
    status: replay.failed === 0 ? 'success' : replay.passed === 0 ? 'failed' : 'partial',
    actions_total: replay.total,
    actions_replayed: replay.passed + replay.failed,
    divergences: replay.failed,
    divergence_details: failures.map((result) => ({
      action_id: `${result.index}:${result.method} ${result.path}`,
      field: 'output' as const,
      recorded: result.expected_status,
      replayed: result.error && result.actual_status === null ? result.error : result.actual_status,
    })),
    deployment: new URL(replay.target_url).host,
    ...(replay.started_at_ms === null ? {} : { started_at: new Date(replay.started_at_ms).toISOString() }),
    finished_at: replay.completed_at!,
  };
}

/** The first failed requests of a replay, in request order, as many as a ledger submission details. */
export async function firstFailures(objects: ObjectStore, replay: ReplayRecord): Promise<ReplayResult[]> {
  const failures: ReplayResult[] = [];
  for (let k = 0; k < replay.window_count && failures.length < ledgerLimits.maxDivergenceDetails; k++) {
    const results = (await objects.getResults(resultsKey(replay, k))) ?? [];
    failures.push(...results.filter((r) => !r.passed).sort((a, b) => a.index - b.index));
  }
  return failures.slice(0, ledgerLimits.maxDivergenceDetails);
}
