import type { JobOutcome, RecordJobOutcome } from '../ledger/job-outcome.ts';
import { ledgerLimits } from '../ledger/limits.ts';
import type { ReplayRecord, ReplayResult } from './model.ts';
import { resultsKey } from './object-keys.ts';
import type { ObjectStore } from './ports.ts';

/** Records an ended replay's outcome in its org's ledger (written once however often it is called); never throws. */
export type RecordReplayEnd = (replay: ReplayRecord) => Promise<void>;

/**
 * An ended replay (completed, failed or canceled) as its ledger submission:
 * actions are its requests, the replayed ones those sent and answered or
 * failed, divergences the failed ones (each a detail: recorded vs replayed
 * status or error), its deployment the target's host. A completed replay is
 * `success`, `partial` or `failed` by its requests; one that failed or was
 * canceled did not replay its session and is `failed`.
 */
export function replayOutcome(replay: ReplayRecord, failures: ReplayResult[]): JobOutcome {
  const byRequests = replay.failed === 0 ? 'success' : replay.passed === 0 ? 'failed' : 'partial';
  return {
    kind: 'session_replay',
    runId: replay.id,
    status: replay.status === 'completed' ? byRequests : 'failed',
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

/**
 * What records the ledger submission of a replay that ended: a failure is
 * logged, not thrown, because the replay's end is already written (every
 * later message that finds the replay ended records it again).
 */
export function replayEndRecorder(
  deps: { objects: ObjectStore; log: (message: string, fields: Record<string, unknown>) => void },
  recordOutcome: RecordJobOutcome,
): RecordReplayEnd {
  return async (replay) => {
    if (replay.status !== 'completed' && replay.status !== 'failed' && replay.status !== 'canceled') return;
    try {
      await recordOutcome(replay.org_id, replayOutcome(replay, await firstFailures(deps.objects, replay)));
    } catch (error) {
      deps.log('Replay outcome not recorded', { replay_id: replay.id, status: replay.status, error: (error as Error).message });
    }
  };
}
