import type { JobOutcome, RecordJobOutcome } from '../ledger/job-outcome.ts';
import { ROUTING_SWEEP } from './routing-simulation.ts';
import type { RunRecord } from './replay-run.ts';

/**
 * The ledger submission of a run that completed or failed, so the Replay Hub
 * shows replay runs beside local replays: actions are traces × repetitions
 * (the seed sweep for routing_simulation), failures and dropped requests (and
 * purge violations) are divergences, and the candidate's savings, where
 * positive, are `cost_savings`. undefined for a run that has not ended, was
 * canceled, or was stored before runs kept their org.
 */
export function runOutcome(record: RunRecord): JobOutcome | undefined {
  const { run } = record;
  if ((run.status !== 'completed' && run.status !== 'failed') || !run.completed_at || !record.orgId) return undefined;
  const total = run.replay_class === 'routing_simulation' ? ROUTING_SWEEP.seeds : run.manifest_size * run.repetitions;
  const base = { kind: 'replay_run' as const, runId: run.id, actions_total: total, finished_at: run.completed_at, ...(run.started_at ? { started_at: run.started_at } : {}) };
  if (run.status === 'failed') {
    const counts = record.counts;
    return { ...base, status: 'failed', actions_replayed: 0, divergences: counts ? counts.failures + counts.dropped : 0 };
  }
  const metrics = (run.metrics ?? {}) as {
    failures?: number;
    dropped?: number;
    violations?: number;
    metric_deltas?: { provider_cost_micros?: { baseline?: number; candidate?: number } };
  };
  const lost = (metrics.failures ?? 0) + (metrics.dropped ?? 0);
  const divergences = lost + (metrics.violations ?? 0);
  const cost = metrics.metric_deltas?.provider_cost_micros;
  const savingsMicros = cost?.baseline !== undefined && cost.candidate !== undefined ? cost.baseline - cost.candidate : 0;
  return {
    ...base,
    status: divergences > 0 ? 'partial' : 'success',
    actions_replayed: Math.max(0, total - lost),
    divergences,
    ...(savingsMicros > 0 ? { cost_savings: savingsMicros / 1_000_000 } : {}),
  };
}

/** Records a run's outcome in its org's ledger (written once, so recording again is harmless). */
export async function recordRunOutcome(record: RecordJobOutcome, run: RunRecord): Promise<void> {
  const outcome = runOutcome(run);
  if (outcome && run.orgId) await record(run.orgId, outcome);
}
