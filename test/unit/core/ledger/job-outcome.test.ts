import { describe, expect, it } from 'vitest';
import { filtersOf } from '../../../../functions/core/ledger/history-filter.ts';
import { outcomeSubmission, outcomeSubmissionId, type JobOutcome } from '../../../../functions/core/ledger/job-outcome.ts';
import { body, ledgerFixture, T0 } from './ledger-fixture.ts';

const outcome = (overrides: Partial<JobOutcome> = {}): JobOutcome => ({
  kind: 'reproducibility',
  runId: 'rep_01',
  status: 'partial',
  actions_total: 5,
  actions_replayed: 5,
  divergences: 2,
  finished_at: '2026-11-25T11:59:00.000Z',
  ...overrides,
});

describe('a job outcome in the ledger', () => {
  it('is recorded once however often the job records it (a redelivered message, a retried worker)', async () => {
    // Prepare
    const { ledger, stored } = ledgerFixture();

    // Act
    await ledger.recordOutcome('acme', outcome());
    await ledger.recordOutcome('acme', outcome());

    // Assess
    expect(stored('acme')).toHaveLength(1);
    expect(await ledger.stats('acme')).toEqual({ submissions: 1, actions_replayed: 5, divergences: 2, cost_saved: 0 });
    expect(stored('acme')[0]).toMatchObject({ kind: 'reproducibility', run_id: 'rep_01', status: 'partial', finished_at: '2026-11-25T11:59:00.000Z' });
  });

  it('has a UUID v7 id at the end time, the same for the same job and different across jobs and kinds', () => {
    const id = outcomeSubmissionId(outcome());
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replaceAll('-', '').slice(0, 12), 16)).toBe(Date.parse('2026-11-25T11:59:00.000Z'));
    expect(outcomeSubmissionId(outcome())).toBe(id);
    expect(outcomeSubmissionId(outcome({ runId: 'rep_02' }))).not.toBe(id);
    expect(outcomeSubmissionId(outcome({ kind: 'session_replay' }))).not.toBe(id);
  });

  it('keeps within the ledger limits: 100 details, values cut to 2,048 characters, replayed ≤ total', () => {
    const details = Array.from({ length: 150 }, (_, i) => ({ action_id: `a${i}`, field: 'output' as const, recorded: 'x'.repeat(5_000), replayed: i }));
    const submission = outcomeSubmission(outcome({ divergence_details: details, actions_replayed: 9, actions_total: 5 }), T0.toISOString());
    expect(submission.divergence_details).toHaveLength(100);
    expect(JSON.stringify(submission.divergence_details![0]!.recorded).length).toBeLessThanOrEqual(2_048 + 2);
    expect(submission.divergence_details![0]!.replayed).toBe(0);
    expect(submission.actions_replayed).toBe(5);
  });

  it('is listed and counted by kind, beside SDK submissions', async () => {
    const { ledger } = ledgerFixture();
    await ledger.submit('acme', 'sdk-run', body());
    await ledger.recordOutcome('acme', outcome());
    await ledger.recordOutcome('acme', outcome({ kind: 'replay_run', runId: 'rpl_1', status: 'success' }));

    expect((await ledger.history('acme', { limit: 10, skip: 0, kind: 'sdk' })).items.map((s) => s.run_id)).toEqual(['sdk-run']);
    const reproducibility = await ledger.history('acme', { limit: 10, skip: 0, kind: 'reproducibility' });
    expect(reproducibility).toMatchObject({ total: 1, items: [{ run_id: 'rep_01' }] });
    expect((await ledger.history('acme', { limit: 10, skip: 0 })).total).toBe(3);
    expect((await ledger.dailyStats('acme', { days: 7, kind: 'replay_run' })).items).toEqual([{ day: '2026-11-25', deployment: '(none)', submissions: 1, divergences: 2 }]);
    expect((await ledger.dailyStats('acme', { days: 7 })).items).toEqual([{ day: '2026-11-25', deployment: '(none)', submissions: 3, divergences: 5 }]);
  });
});

describe('filtersOf', () => {
  it('lists a submission in every combination of its kind, status and deployment', () => {
    const filters = filtersOf({ kind: 'sdk', status: 'failed', deployment: 'prod' });
    expect(filters).toHaveLength(7);
    expect(new Set(filters.map((f) => JSON.stringify(Object.entries(f).sort())))).toEqual(
      new Set(
        [
          { kind: 'sdk' },
          { status: 'failed' },
          { deployment: 'prod' },
          { kind: 'sdk', status: 'failed' },
          { kind: 'sdk', deployment: 'prod' },
          { status: 'failed', deployment: 'prod' },
          { kind: 'sdk', status: 'failed', deployment: 'prod' },
        ].map((f) => JSON.stringify(Object.entries(f).sort())),
      ),
    );
  });
});
