import { describe, expect, it } from 'vitest';
import { priceCatalogue } from '../../../../functions/core/replay-runs/price-catalogue.ts';
import type { RunRecord } from '../../../../functions/core/replay-runs/replay-run.ts';
import { resolveSide } from '../../../../functions/core/replay-runs/routing.ts';
import { runOutcome } from '../../../../functions/core/replay-runs/run-outcome.ts';

const side = resolveSide('baseline', 'managed', new Map(), priceCatalogue);
function record(run: Partial<RunRecord['run']>, extra: Partial<RunRecord> = {}): RunRecord {
  return {
    run: {
      id: 'rpl_01aaaaaaaaaaaaaaaaaaaaaaaa',
      object: 'replay_run',
      project_id: 'prj_1',
      created_at: '2026-11-25T00:00:00Z',
      status: 'completed',
      baseline: 'managed',
      candidate: 'managed_mini',
      replay_class: 'tokenized_performance',
      traffic_manifest_ref: null,
      repetitions: 3,
      concurrency: 1,
      scheduled_for: null,
      started_at: '2026-11-25T00:00:01Z',
      completed_at: '2026-11-25T00:00:02Z',
      failure_reason: null,
      attempt: 1,
      manifest_size: 40,
      metrics: { failures: 0, dropped: 0, metric_deltas: { provider_cost_micros: { baseline: 3_000_000, candidate: 1_000_000 } } },
      max_spend_usd: null,
      progress: null,
      ...run,
    },
    manifestKey: null,
    manifestSummary: null,
    resolved: { baseline: side, candidate: side },
    dueAt: '',
    deadlineAt: null,
    report: null,
    orgId: 'org-1',
    fullFidelity: null,
    counts: null,
    ...extra,
  };
}

describe('the ledger outcome of a run', () => {
  it('counts traces × repetitions as actions and the candidate\'s savings in USD', () => {
    expect(runOutcome(record({}))).toEqual({
      kind: 'replay_run',
      runId: 'rpl_01aaaaaaaaaaaaaaaaaaaaaaaa',
      status: 'success',
      actions_total: 120,
      actions_replayed: 120,
      divergences: 0,
      cost_savings: 2,
      started_at: '2026-11-25T00:00:01Z',
      finished_at: '2026-11-25T00:00:02Z',
    });
  });

  it('makes lost pairs and purge violations divergences (partial), and no savings when the candidate is dearer', () => {
    const lossy = runOutcome(record({ metrics: { failures: 5, dropped: 7, metric_deltas: { provider_cost_micros: { baseline: 1, candidate: 9 } } } }));
    const purge = runOutcome(record({ replay_class: 'purge_verification', repetitions: 1, metrics: { failures: 0, dropped: 0, violations: 4 } }));

    expect(lossy).toMatchObject({ status: 'partial', actions_total: 120, actions_replayed: 108, divergences: 12 });
    expect(lossy).not.toHaveProperty('cost_savings');
    expect(purge).toMatchObject({ status: 'partial', actions_total: 40, actions_replayed: 40, divergences: 4 });
  });

  it('counts the 1,000-seed sweep for routing_simulation, replays nothing of a failed run, and skips runs that did not end or have no org', () => {
    expect(runOutcome(record({ replay_class: 'routing_simulation', manifest_size: 0, metrics: { failures: 0, dropped: 0 } }))).toMatchObject({ actions_total: 1_000, actions_replayed: 1_000 });
    expect(runOutcome(record({ status: 'failed', metrics: null, failure_reason: 'x' }))).toMatchObject({ status: 'failed', actions_replayed: 0, divergences: 0 });
    expect(runOutcome(record({ status: 'running', completed_at: null }))).toBeUndefined();
    expect(runOutcome(record({ status: 'canceled' }))).toBeUndefined();
    expect(runOutcome(record({}, { orgId: null }))).toBeUndefined();
  });
});
